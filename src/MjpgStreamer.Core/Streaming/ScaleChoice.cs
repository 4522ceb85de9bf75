namespace MjpgStreamer.Core.Streaming;

/// <summary>
/// How a wanted size is made from a source (<see cref="Plan"/>): decoded at one of libjpeg-turbo's DCT scale factors
/// (1/1, 1/2, 1/4, 1/8; the smallest picture not smaller than asked), then resized to the exact size when the scale
/// alone does not give it (1920 wide, asked 480 → 1/4 = 480, no resize; asked 640 → 1/2 = 960, resized to 640). Pure
/// functions; a factor is given by its denominator. A size larger than the source gets the source's (never upscaled).
/// </summary>
public static class ScaleChoice
{
    /// <summary>The denominators TurboJPEG scales by inside the DCT that this project uses, largest first.</summary>
    public static ReadOnlySpan<int> Denominators => [8, 4, 2, 1];

    /// <summary>A dimension scaled by 1/<paramref name="denominator"/>, rounded up as TurboJPEG's TJSCALED does.</summary>
    public static int Scaled(int size, int denominator)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        CheckDenominator(denominator);
        return (size + denominator - 1) / denominator;
    }

    /// <summary>The denominator for a wanted WxH: the smallest result at least <paramref name="width"/> wide and <paramref name="height"/> high (0 = any).</summary>
    public static int ForSize(int sourceWidth, int sourceHeight, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        foreach (var denominator in Denominators)
        {
            if (Scaled(sourceWidth, denominator) >= width && Scaled(sourceHeight, denominator) >= height)
            {
                return denominator;
            }
        }

        return 1;
    }

    /// <summary>
    /// The picture a wanted size gives: the source's aspect ratio, as large as fits <paramref name="width"/> x
    /// <paramref name="height"/> (0 = any), never larger than the source. When one of the DCT scales gives that size
    /// (1920 wide asked 480 → 1/4), it is decoded at that scale and nothing else is done; otherwise it is decoded at the
    /// nearest scale not smaller (1920 asked 640 → 1/2, 960x540) and resized to the exact size (640x360).
    /// </summary>
    public static ScalePlan Plan(int sourceWidth, int sourceHeight, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sourceWidth);
        ArgumentOutOfRangeException.ThrowIfNegative(sourceHeight);
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        var factor = 1.0;
        if (width > 0 && sourceWidth > 0)
        {
            factor = Math.Min(factor, (double)width / sourceWidth);
        }

        if (height > 0 && sourceHeight > 0)
        {
            factor = Math.Min(factor, (double)height / sourceHeight);
        }

        if (factor >= 1)
        {
            return new ScalePlan(1, sourceWidth, sourceHeight, sourceWidth, sourceHeight);
        }

        var fitWidth = Math.Max(1, (int)Math.Round(sourceWidth * factor, MidpointRounding.AwayFromZero));
        var fitHeight = Math.Max(1, (int)Math.Round(sourceHeight * factor, MidpointRounding.AwayFromZero));
        foreach (var denominator in Denominators)
        {
            // A DCT scale that fits the box and is not smaller than the fitted size is that size (up to rounding).
            var (w, h) = (Scaled(sourceWidth, denominator), Scaled(sourceHeight, denominator));
            if (w >= fitWidth && h >= fitHeight && (width == 0 || w <= width) && (height == 0 || h <= height))
            {
                return new ScalePlan(denominator, w, h, w, h);
            }
        }

        var decode = ForSize(sourceWidth, sourceHeight, fitWidth, fitHeight);
        return new ScalePlan(decode, Scaled(sourceWidth, decode), Scaled(sourceHeight, decode), fitWidth, fitHeight);
    }

    /// <summary>A fixed factor 1/<paramref name="denominator"/>: decoded at that scale, no resize.</summary>
    public static ScalePlan PlanScale(int sourceWidth, int sourceHeight, int denominator)
    {
        var (w, h) = (Scaled(sourceWidth, denominator), Scaled(sourceHeight, denominator));
        return new ScalePlan(denominator, w, h, w, h);
    }

    /// <summary>Parses <c>1/2</c>, <c>1/4</c>, <c>1/8</c> (and <c>1</c> or <c>1/1</c>) into a denominator.</summary>
    public static bool TryParseScale(string? text, out int denominator)
    {
        denominator = text?.Trim() switch
        {
            "1" or "1/1" => 1,
            "1/2" => 2,
            "1/4" => 4,
            "1/8" => 8,
            _ => 0,
        };
        return denominator != 0;
    }

    internal static void CheckDenominator(int denominator)
    {
        if (denominator is not (1 or 2 or 4 or 8))
        {
            throw new ArgumentOutOfRangeException(nameof(denominator), denominator, "1, 2, 4 or 8");
        }
    }
}

/// <summary>
/// How one frame is scaled: decoded at 1/<see cref="Denominator"/> (<see cref="DecodedWidth"/> x
/// <see cref="DecodedHeight"/>), then resized to <see cref="Width"/> x <see cref="Height"/> when that differs.
/// </summary>
public readonly record struct ScalePlan(int Denominator, int DecodedWidth, int DecodedHeight, int Width, int Height)
{
    /// <summary>The DCT scale alone does not give the size: a resize step follows the decode.</summary>
    public bool Resizes => Width != DecodedWidth || Height != DecodedHeight;
}
