using System.Buffers.Text;

namespace MjpgStreamer.LoadClient;

/// <summary>X-Timestamp ("seconds.microseconds", wall clock) and the latency derived from it.</summary>
internal static class Timestamp
{
    /// <summary>Parses "1795604198.384874" (fewer or more fraction digits are read as a decimal fraction).</summary>
    public static bool TryParseMicroseconds(ReadOnlySpan<byte> text, out long microseconds)
    {
        microseconds = 0;
        var dot = text.IndexOf((byte)'.');
        var whole = dot < 0 ? text : text[..dot];
        if (whole.IsEmpty || !Utf8Parser.TryParse(whole, out long seconds, out var used) || used != whole.Length || seconds < 0)
        {
            return false;
        }

        long fraction = 0;
        if (dot >= 0)
        {
            var digits = text[(dot + 1)..];
            if (digits.IsEmpty)
            {
                return false;
            }

            long scale = 100_000;
            foreach (var c in digits)
            {
                if (c is < (byte)'0' or > (byte)'9')
                {
                    return false;
                }

                fraction += (c - '0') * scale;
                scale /= 10;
            }
        }

        microseconds = (seconds * 1_000_000) + fraction;
        return true;
    }

    /// <summary>Microseconds since the Unix epoch of <paramref name="now"/>.</summary>
    public static long ToUnixMicroseconds(DateTimeOffset now) => (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    /// <summary>
    /// Latency of a frame: when its last byte arrived minus when it was captured, or null when the server
    /// sent no usable timestamp (absent, or 0 for inputs that do not set one).
    /// </summary>
    public static long? LatencyMicroseconds(long receivedUnixUs, long frameTimestampUs) =>
        frameTimestampUs > 0 ? receivedUnixUs - frameTimestampUs : null;
}
