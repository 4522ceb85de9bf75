namespace MjpgStreamer.Core.Streaming;

/// <summary>
/// What a reader wants from an input: a size (a width, a WxH box, or a fixed scale factor), a JPEG quality and a rate.
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

    /// <summary>
    /// Frames per second made (the readers' fps=), or 0 for every frame of the input: a frame not due is not scaled,
    /// so a 10 fps reader of a 30 fps camera costs a third of the decoding and encoding.
    /// </summary>
    public double Fps { get; private init; }

    /// <summary>This shape at <paramref name="fps"/> frames per second (0: every frame).</summary>
    public ShapeKey WithFps(double fps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fps);
        return this with { Fps = fps };
    }

    /// <summary><paramref name="width"/> wide (the height in the source's proportion; never larger than the source).</summary>
    public static ShapeKey ForWidth(int width, int quality) => ForSize(width, 0, quality);

    /// <summary>As large as fits <paramref name="width"/> x <paramref name="height"/> (0 = any) in the source's proportion (never larger than the source).</summary>
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

    /// <summary>How a source of <paramref name="sourceWidth"/> x <paramref name="sourceHeight"/> is scaled to this key's size.</summary>
    public ScalePlan PlanFor(int sourceWidth, int sourceHeight)
        => ScaleDenominator != 0
            ? ScaleChoice.PlanScale(sourceWidth, sourceHeight, ScaleDenominator)
            : ScaleChoice.Plan(sourceWidth, sourceHeight, Width, Height);

    /// <summary>For logs and /state: <c>w480 q70</c>, <c>640x480 q50</c>, <c>1/4 q70</c>, <c>w640 q80 10fps</c>.</summary>
    public override string ToString()
    {
        var size = ScaleDenominator != 0
            ? $"1/{ScaleDenominator} q{Quality}"
            : Height == 0 ? $"w{Width} q{Quality}" : Width == 0 ? $"h{Height} q{Quality}" : $"{Width}x{Height} q{Quality}";
        return Fps > 0 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{size} {Fps:0.##}fps") : size;
    }
}
