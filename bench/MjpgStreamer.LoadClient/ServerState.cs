using System.Text.Json;

namespace MjpgStreamer.LoadClient;

/// <summary>The figures the load client takes from the server's <c>GET /state</c>; null where the server did not say.</summary>
internal sealed record ServerState(long? InputFrames, long? Gen0, long? Gen1, long? Gen2, double? UptimeSeconds)
{
    /// <summary>
    /// Parses the /state JSON. The input is found by its "id" property; failing that, by its position in "inputs".
    /// </summary>
    /// <exception cref="JsonException">The body is not JSON or not an object.</exception>
    public static ServerState Parse(ReadOnlyMemory<byte> json, int inputId)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("/state is not a JSON object");
        }

        long? frames = null;
        if (root.TryGetProperty("inputs", out var inputs) && inputs.ValueKind == JsonValueKind.Array
            && FindInput(inputs, inputId) is { } input)
        {
            frames = ReadLong(input, "frames");
        }

        long? gen0 = null, gen1 = null, gen2 = null;
        if (root.TryGetProperty("gc", out var gc) && gc.ValueKind == JsonValueKind.Object)
        {
            gen0 = ReadLong(gc, "gen0");
            gen1 = ReadLong(gc, "gen1");
            gen2 = ReadLong(gc, "gen2");
        }

        double? uptime = root.TryGetProperty("uptime_s", out var up) && up.ValueKind == JsonValueKind.Number ? up.GetDouble() : null;
        return new ServerState(frames, gen0, gen1, gen2, uptime);
    }

    private static JsonElement? FindInput(JsonElement inputs, int inputId)
    {
        foreach (var input in inputs.EnumerateArray())
        {
            if (input.ValueKind == JsonValueKind.Object && ReadLong(input, "id") == inputId)
            {
                return input;
            }
        }

        return inputId < inputs.GetArrayLength() && inputs[inputId].ValueKind == JsonValueKind.Object ? inputs[inputId] : null;
    }

    private static long? ReadLong(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Number)
        {
            return null;
        }

        return value.TryGetInt64(out var whole) ? whole : (long)value.GetDouble();
    }

    /// <summary>end − start when both are known.</summary>
    public static long? Delta(long? start, long? end) => start is { } s && end is { } e ? e - s : null;
}
