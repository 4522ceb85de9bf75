using System.Text;
using MjpgStreamer.Core.Mjpeg;

namespace MjpgStreamer.Native.Tests.Sources.Uvc;

/// <summary>
/// What the fake camera wrote into a frame: its COM segment (frame number, size, control values, see
/// docs/testing.md) and the JPEG's own size. A NO SIGNAL placeholder has no such segment.
/// </summary>
internal static class FakeCameraFrame
{
    public static Dictionary<string, string>? Comment(byte[] jpeg)
    {
        ArgumentNullException.ThrowIfNull(jpeg);
        if (jpeg.Length < 6 || jpeg[2] != 0xFF || jpeg[3] != 0xFE)
        {
            return null;
        }

        var length = (jpeg[4] << 8) | jpeg[5];
        var text = Encoding.ASCII.GetString(jpeg, 6, Math.Min(length - 2, jpeg.Length - 6)).TrimEnd('\0');
        if (!text.StartsWith("FAKECAM ", StringComparison.Ordinal))
        {
            return null;
        }

        return text[8..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1]);
    }

    public static (int Width, int Height) Size(byte[] jpeg) =>
        JpegInfo.TryReadSize(jpeg, out var width, out var height) ? (width, height) : (0, 0);
}
