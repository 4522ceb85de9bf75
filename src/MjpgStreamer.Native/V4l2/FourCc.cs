using System.Text;

namespace MjpgStreamer.Native.V4l2;

/// <summary>V4L2 pixel format codes: four ASCII characters, the first in the lowest byte (v4l2_fourcc).</summary>
internal static class FourCc
{
    public static readonly uint Mjpeg = Make("MJPG");
    public static readonly uint Jpeg = Make("JPEG");
    public static readonly uint Yuyv = Make("YUYV");
    public static readonly uint Uyvy = Make("UYVY");
    public static readonly uint Rgb24 = Make("RGB3");
    public static readonly uint Rgb565 = Make("RGBP");

    public static uint Make(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        if (code.Length != 4 || !Ascii.IsValid(code))
        {
            throw new ArgumentException($"a FourCC is four ASCII characters, not \"{code}\"", nameof(code));
        }

        return code[0] | ((uint)code[1] << 8) | ((uint)code[2] << 16) | ((uint)code[3] << 24);
    }

    /// <summary>The four characters; bit 31 (V4L2_PIX_FMT_FLAG_BE / "-BE" formats) is shown as a "-BE" suffix, control characters as '.'.</summary>
    public static string ToString(uint fourCc)
    {
        Span<char> chars = stackalloc char[4];
        var bigEndian = (fourCc & 0x80000000) != 0;
        var value = fourCc & 0x7FFFFFFF;
        for (var i = 0; i < 4; i++)
        {
            var c = (char)((value >> (8 * i)) & 0xFF);
            chars[i] = c is >= ' ' and <= '~' ? c : '.';
        }

        return bigEndian ? new string(chars) + "-BE" : new string(chars);
    }
}
