namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>The stub /state server's answer to one request.</summary>
public sealed record StubAnswer(int Status, string Reason, string Body)
{
    public static StubAnswer Json(string body) => new(200, "OK", body);

    public static StubAnswer NotFound => new(404, "Not Found", "404: Not Found!");

    public static StubAnswer Unauthorized => new(401, "Unauthorized", "401: Not Authenticated!");
}
