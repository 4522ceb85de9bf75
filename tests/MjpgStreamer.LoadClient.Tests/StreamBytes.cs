using System.Text;

namespace MjpgStreamer.LoadClient.Tests;

/// <summary>Builds server responses byte for byte as mjpg-streamer frames them.</summary>
internal static class StreamBytes
{
    public const string ResponseHead =
        "HTTP/1.0 200 OK\r\n" +
        "Access-Control-Allow-Origin: *\r\n" +
        "Connection: close\r\n" +
        "Server: MJPG-Streamer/0.2\r\n" +
        "Cache-Control: no-store, no-cache, must-revalidate, pre-check=0, post-check=0, max-age=0\r\n" +
        "Pragma: no-cache\r\n" +
        "Expires: Mon, 3 Jan 2000 12:34:56 GMT\r\n" +
        "Content-Type: multipart/x-mixed-replace;boundary=boundarydonotcross\r\n" +
        "\r\n" +
        "--boundarydonotcross\r\n";

    public static byte[] Part(byte[] payload, string timestamp, string boundary = "boundarydonotcross") =>
        [
            .. Encoding.ASCII.GetBytes($"Content-Type: image/jpeg\r\nContent-Length: {payload.Length}\r\nX-Timestamp: {timestamp}\r\n\r\n"),
            .. payload,
            .. Encoding.ASCII.GetBytes($"\r\n--{boundary}\r\n"),
        ];

    /// <summary>A fake JPEG whose inside looks like framing, so only Content-Length can find its end.</summary>
    public static byte[] TrickyPayload(int length)
    {
        var payload = new byte[length];
        for (var i = 0; i < length; i++)
        {
            payload[i] = (byte)(i * 31);
        }

        var decoy = "\r\n--boundarydonotcross\r\nContent-Length: 3\r\n\r\n"u8;
        if (length >= decoy.Length + 4)
        {
            decoy.CopyTo(payload.AsSpan(2));
        }

        if (length >= 4)
        {
            payload[0] = 0xFF;
            payload[1] = 0xD8;
            payload[^2] = 0xFF;
            payload[^1] = 0xD9;
        }

        return payload;
    }
}
