namespace MjpgStreamer.Native.Jpeg;

/// <summary>Drawing primitives on a packed RGB24 picture (3 bytes per pixel, rows without padding), clipped to it.</summary>
public static class RgbCanvas
{
    /// <summary>Fills the rectangle; the parts outside the picture are ignored.</summary>
    public static void FillRect(Span<byte> rgb, int width, int height, int x, int y, int w, int h, (byte R, byte G, byte B) color)
    {
        CheckPicture(rgb, width, height);
        var left = Math.Max(x, 0);
        var top = Math.Max(y, 0);
        var right = (int)Math.Min((long)x + w, width);
        var bottom = (int)Math.Min((long)y + h, height);
        if (left >= right || top >= bottom)
        {
            return;
        }

        var first = rgb.Slice(((top * width) + left) * 3, (right - left) * 3);
        for (var i = 0; i < first.Length; i += 3)
        {
            first[i] = color.R;
            first[i + 1] = color.G;
            first[i + 2] = color.B;
        }

        for (var row = top + 1; row < bottom; row++)
        {
            first.CopyTo(rgb.Slice(((row * width) + left) * 3));
        }
    }

    internal static void CheckPicture(ReadOnlySpan<byte> rgb, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (rgb.Length < (long)width * height * 3)
        {
            throw new ArgumentException($"{rgb.Length} bytes are too few for a {width}x{height} RGB picture", nameof(rgb));
        }
    }
}
