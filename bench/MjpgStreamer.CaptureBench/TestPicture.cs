namespace MjpgStreamer.CaptureBench;

/// <summary>
/// A YUYV frame that compresses like a camera picture rather than like a flat test card: colour bars on
/// the top half, a horizontal luma ramp with a vertical chroma sweep below, and pixel noise everywhere
/// (sensor noise is what makes real frames big). Made once, deterministically (fixed seed).
/// </summary>
internal static class TestPicture
{
    private static readonly (byte R, byte G, byte B)[] Bars =
    [
        (191, 191, 191), (191, 191, 0), (0, 191, 191), (0, 191, 0), (191, 0, 191), (191, 0, 0), (0, 0, 191), (16, 16, 16),
    ];

    /// <summary>Packed YUYV, stride = width * 2.</summary>
    public static byte[] CreateYuyv(int width, int height, int noiseAmplitude = 6)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (width % 2 != 0)
        {
            throw new ArgumentException("YUYV needs an even width", nameof(width));
        }

        var random = new Random(20240601);
        var yuyv = new byte[width * height * 2];
        for (var row = 0; row < height; row++)
        {
            for (var x = 0; x < width; x += 2)
            {
                var (r0, g0, b0) = Pixel(x, row, width, height);
                var (r1, g1, b1) = Pixel(x + 1, row, width, height);
                var (y0, u0, v0) = ToYuv(r0, g0, b0);
                var (y1, u1, v1) = ToYuv(r1, g1, b1);
                var at = (row * width * 2) + (x * 2);
                yuyv[at] = Clamp(y0 + random.Next(-noiseAmplitude, noiseAmplitude + 1));
                yuyv[at + 1] = Clamp(((u0 + u1) / 2) + random.Next(-noiseAmplitude / 2, (noiseAmplitude / 2) + 1));
                yuyv[at + 2] = Clamp(y1 + random.Next(-noiseAmplitude, noiseAmplitude + 1));
                yuyv[at + 3] = Clamp(((v0 + v1) / 2) + random.Next(-noiseAmplitude / 2, (noiseAmplitude / 2) + 1));
            }
        }

        return yuyv;
    }

    private static (double R, double G, double B) Pixel(int x, int y, int width, int height)
    {
        if (y < height / 2)
        {
            var bar = Bars[Math.Min(Bars.Length - 1, x * Bars.Length / width)];
            return (bar.R, bar.G, bar.B);
        }

        // Luma ramp left to right, hue sweep top to bottom of the lower half.
        var level = 255.0 * x / Math.Max(1, width - 1);
        var t = (double)(y - (height / 2)) / Math.Max(1, height - (height / 2));
        return (level * (1 - t), level * (0.5 + (0.5 * t)), level * t);
    }

    // BT.601 full range, as JPEG uses.
    private static (double Y, double U, double V) ToYuv(double r, double g, double b) =>
        ((0.299 * r) + (0.587 * g) + (0.114 * b),
         128 - (0.168736 * r) - (0.331264 * g) + (0.5 * b),
         128 + (0.5 * r) - (0.418688 * g) - (0.081312 * b));

    private static byte Clamp(double value) => (byte)Math.Clamp(Math.Round(value), 0, 255);
}
