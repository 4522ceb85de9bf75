using System.Buffers.Text;

namespace MjpgStreamer.Core.Mjpeg;

/// <summary>mjpg-streamer's multipart/x-mixed-replace framing, byte for byte (boundary, part headers, the next boundary right after each JPEG), written without allocation.</summary>
public static class MultipartFormat
{
    public const string Boundary = "boundarydonotcross";

    public const string ContentType = "multipart/x-mixed-replace;boundary=" + Boundary;

    /// <summary>Sent once, right after the response headers.</summary>
    public static ReadOnlySpan<byte> FirstBoundary => "--boundarydonotcross\r\n"u8;

    /// <summary>Sent right after each JPEG, so a browser shows the frame at once.</summary>
    public static ReadOnlySpan<byte> BoundaryAfterFrame => "\r\n--boundarydonotcross\r\n"u8;

    /// <summary>Upper bound of <see cref="WritePartHeader"/>'s output.</summary>
    public const int MaxPartHeaderLength = 128;

    /// <summary>Writes "Content-Type … Content-Length … X-Timestamp … CRLF CRLF" and returns the bytes written.</summary>
    public static int WritePartHeader(Span<byte> destination, int length, long timestampUs)
    {
        var pos = 0;
        Append(destination, ref pos, "Content-Type: image/jpeg\r\nContent-Length: "u8);
        Utf8Formatter.TryFormat(length, destination[pos..], out var written);
        pos += written;
        Append(destination, ref pos, "\r\nX-Timestamp: "u8);
        pos += WriteTimestamp(destination[pos..], timestampUs);
        Append(destination, ref pos, "\r\n\r\n"u8);
        return pos;
    }

    /// <summary>Seconds.microseconds, six digits after the point, as mjpg-streamer prints it.</summary>
    public static int WriteTimestamp(Span<byte> destination, long timestampUs)
    {
        var seconds = timestampUs / 1_000_000;
        var micros = timestampUs % 1_000_000;
        Utf8Formatter.TryFormat(seconds, destination, out var pos);
        destination[pos++] = (byte)'.';
        Utf8Formatter.TryFormat(micros, destination[pos..], out var written, new System.Buffers.StandardFormat('D', 6));
        return pos + written;
    }

    public static string FormatTimestamp(long timestampUs)
    {
        Span<byte> buffer = stackalloc byte[32];
        var length = WriteTimestamp(buffer, timestampUs);
        return System.Text.Encoding.ASCII.GetString(buffer[..length]);
    }

    private static void Append(Span<byte> destination, ref int pos, ReadOnlySpan<byte> text)
    {
        text.CopyTo(destination[pos..]);
        pos += text.Length;
    }
}
