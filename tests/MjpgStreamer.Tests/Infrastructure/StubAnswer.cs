namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>The stub server's answer to one request (JSON text unless Bytes/ContentType say otherwise).</summary>
public sealed record StubAnswer(int Status, string Reason, string Body)
{
    public static StubAnswer Json(string body) => new(200, "OK", body);

    public static StubAnswer NotFound => new(404, "Not Found", "404: Not Found!");

    public static StubAnswer Unauthorized => new(401, "Unauthorized", "401: Not Authenticated!");

    /// <summary>Never answers (the connection stays open until the server is disposed).</summary>
    public static StubAnswer Hang => new(0, "", "") { Hangs = true };

    /// <summary>A 200 image/jpeg answer, as ?action=still gives one.</summary>
    public static StubAnswer Jpeg(byte[] jpeg) => new(200, "OK", "") { Bytes = jpeg, ContentType = "image/jpeg" };

    /// <summary>A text answer such as the server's 503 with a one-line reason.</summary>
    public static StubAnswer Text(int status, string reason, string body) => new(status, reason, body) { ContentType = "text/plain" };

    /// <summary>The body as bytes; when null, <see cref="Body"/> in UTF-8.</summary>
    public byte[]? Bytes { get; init; }

    public string ContentType { get; init; } = "application/json";

    public bool Hangs { get; init; }
}
