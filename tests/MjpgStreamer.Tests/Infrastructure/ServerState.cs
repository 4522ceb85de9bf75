using System.Text.Json;

namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>Reads a running server's JSON (/state, /input.json) and waits, bounded, for an input's state.</summary>
public static class ServerState
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);

    public static async Task<JsonElement> GetJsonAsync(ServerProcess server, string path, string extraHeaders = "")
    {
        var response = await RawHttp.GetResponseAsync(server.Port, path, extraHeaders: extraHeaders);
        Assert.True(response.Status == 200, $"{path}: {response.StatusLine} {response.BodyText}");
        return JsonDocument.Parse(response.Body).RootElement.Clone();
    }

    public static async Task<JsonElement> InputAsync(ServerProcess server, int input = 0, string extraHeaders = "") =>
        (await GetJsonAsync(server, "/state", extraHeaders)).GetProperty("inputs")[input];

    public static string Reason(JsonElement input) =>
        input.GetProperty("reason").ValueKind == JsonValueKind.String ? input.GetProperty("reason").GetString()! : "";

    /// <summary>Waits until input <paramref name="input"/> reports the state (and a reason containing the text).</summary>
    public static async Task WaitForAsync(ServerProcess server, string state, string reasonPart = "", int input = 0, TimeSpan? wait = null, string extraHeaders = "")
    {
        var current = default(JsonElement);
        await Eventually.UntilAsync(
            async () =>
            {
                current = await InputAsync(server, input, extraHeaders);
                return current.GetProperty("state").GetString() == state && Reason(current).Contains(reasonPart, StringComparison.Ordinal);
            },
            () => $"input {input} is {state} '{reasonPart}'; it stayed {current}\n{server.Stderr}",
            wait ?? DefaultWait);
    }
}
