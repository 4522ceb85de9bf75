namespace MjpgStreamer.Core.Streaming;

/// <summary>
/// Which of libjpeg-turbo's DCT scale factors (1/1, 1/2, 1/4, 1/8) a wanted size gets: the smallest picture that is
/// not smaller than asked (1920 wide, asked 480 → 1/4 = 480; asked 500 → 1/2 = 960). Pure functions; a factor is
/// given by its denominator. A size larger than the source gets 1 (never upscaled).
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

    /// <summary>The denominator for a wanted width: the smallest result not narrower than <paramref name="width"/>.</summary>
    public static int ForWidth(int sourceWidth, int width) => ForSize(sourceWidth, 0, width, 0);

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
