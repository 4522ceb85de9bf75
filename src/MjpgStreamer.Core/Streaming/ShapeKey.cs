namespace MjpgStreamer.Core.Streaming;

/// <summary>
/// What a reader wants from an input: a size (a width, a WxH box, or a fixed scale factor) and a JPEG quality.
/// Readers with equal keys share one worker and one encode per frame (<see cref="ShapedFrames"/>). Build one with
/// <see cref="ForWidth"/>, <see cref="ForSize"/> or <see cref="ForScale"/>.
/// </summary>
public readonly record struct ShapeKey
{
    private ShapeKey(int width, int height, int scaleDenominator, int quality)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        Width = width;
        Height = height;
        ScaleDenominator = scaleDenominator;
        Quality = quality;
    }

    /// <summary>The wanted width, or 0 (then <see cref="ScaleDenominator"/> is set).</summary>
    public int Width { get; }

    /// <summary>The wanted height, or 0 for any.</summary>
    public int Height { get; }

    /// <summary>A fixed factor 1/1, 1/2, 1/4 or 1/8 (whatever the source's size), or 0 when the size decides.</summary>
    public int ScaleDenominator { get; }

    /// <summary>JPEG quality of the result, 1..100 (IJG scale).</summary>
    public int Quality { get; }

    /// <summary>At least <paramref name="width"/> wide: the nearest scale factor whose result is not narrower.</summary>
    public static ShapeKey ForWidth(int width, int quality) => ForSize(width, 0, quality);

    /// <summary>At least <paramref name="width"/> x <paramref name="height"/> (0 = any), by the nearest scale factor not smaller.</summary>
    public static ShapeKey ForSize(int width, int height, int quality)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 0);
        if (width == 0 && height == 0)
        {
            throw new ArgumentException("a width or a height is needed", nameof(width));
        }

        return new ShapeKey(width, height, 0, quality);
    }

    /// <summary>A fixed factor 1/<paramref name="denominator"/> (1, 2, 4 or 8).</summary>
    public static ShapeKey ForScale(int denominator, int quality)
    {
        ScaleChoice.CheckDenominator(denominator);
        return new ShapeKey(0, 0, denominator, quality);
    }

    /// <summary>The scale denominator this key gives for a source of <paramref name="sourceWidth"/> x <paramref name="sourceHeight"/>.</summary>
    public int DenominatorFor(int sourceWidth, int sourceHeight)
        => ScaleDenominator != 0 ? ScaleDenominator : ScaleChoice.ForSize(sourceWidth, sourceHeight, Width, Height);

    /// <summary>For logs and /state: <c>w480 q70</c>, <c>640x480 q50</c>, <c>1/4 q70</c>.</summary>
    public override string ToString() => ScaleDenominator != 0
        ? $"1/{ScaleDenominator} q{Quality}"
        : Height == 0 ? $"w{Width} q{Quality}" : Width == 0 ? $"h{Height} q{Quality}" : $"{Width}x{Height} q{Quality}";
}
