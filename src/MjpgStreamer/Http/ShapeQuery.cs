using System.Globalization;
using MjpgStreamer.Core.Streaming;

namespace MjpgStreamer.Http;

/// <summary>
/// The size and quality a stream or snapshot request asks for ("width=480", "quality=60", issue 14); other
/// parameters (action, input, fps, cache busters) are not looked at here. Both null: the frames as captured.
/// </summary>
internal readonly record struct ShapeQuery(int? Width, int? Quality)
{
    public const int MaxWidth = 16384;

    /// <summary>The quality of a scaled picture when neither the URL nor -stream_quality gives one.</summary>
    public const int DefaultQuality = 80;

    /// <summary>Parses the query of <paramref name="rawTarget"/>; <paramref name="error"/> is the one-line reason for a 400.</summary>
    public static bool TryParse(string rawTarget, out ShapeQuery query, out string? error)
    {
        query = default;
        error = null;
        var question = rawTarget.IndexOf('?', StringComparison.Ordinal);
        if (question < 0)
        {
            return true;
        }

        int? width = null;
        int? quality = null;
        var text = rawTarget.AsSpan(question + 1);
        foreach (var range in text.Split('&'))
        {
            var pair = text[range];
            if (pair.StartsWith("width=", StringComparison.Ordinal))
            {
                var value = pair["width=".Length..];
                if (!TryParseInt(value, 1, MaxWidth, out var w))
                {
                    error = $"width '{Shown(value)}' is not a whole number from 1 to {MaxWidth}";
                    return false;
                }

                width = w;
            }
            else if (pair.StartsWith("quality=", StringComparison.Ordinal))
            {
                var value = pair["quality=".Length..];
                if (!TryParseQuality(value, out var q))
                {
                    error = $"quality '{Shown(value)}' is not a whole number from 1 to 100";
                    return false;
                }

                quality = q;
            }
        }

        query = new ShapeQuery(width, quality);
        return true;
    }

    /// <summary>A JPEG quality 1..100: digits only.</summary>
    public static bool TryParseQuality(ReadOnlySpan<char> text, out int quality) => TryParseInt(text, 1, 100, out quality);

    /// <summary>
    /// The shape a request gets, or null for the input's own frames. The URL's width and quality come first, then the
    /// output's defaults (<paramref name="defaultSize"/>, <paramref name="defaultQuality"/>; the stream's only). A
    /// quality without a size re-encodes at full size; a size without a quality gets -stream_quality or 80. A shape
    /// that would not scale (the source is not larger) and asks no quality is the input's frames, unchanged:
    /// <paramref name="sourceWidth"/> and <paramref name="sourceHeight"/> are the current frame's (0 when none yet).
    /// </summary>
    public ShapeKey? Resolve(ShapeKey? defaultSize, int? defaultQuality, int sourceWidth, int sourceHeight)
    {
        var quality = Quality ?? defaultQuality;
        ShapeKey? size = Width is { } width ? ShapeKey.ForWidth(width, ShapeQuery.DefaultQuality) : defaultSize;
        if (size is null && quality is null)
        {
            return null;
        }

        var q = quality ?? DefaultQuality;
        var key = size switch
        {
            null => ShapeKey.ForScale(1, q),
            { ScaleDenominator: not 0 } s => ShapeKey.ForScale(s.ScaleDenominator, q),
            { } s => ShapeKey.ForSize(s.Width, s.Height, q),
        };
        if (quality is null && sourceWidth > 0 && key.PlanFor(sourceWidth, sourceHeight) is { Denominator: 1, Resizes: false })
        {
            return null;
        }

        return key;
    }

    private static bool TryParseInt(ReadOnlySpan<char> text, int min, int max, out int value)
    {
        value = 0;
        return text.Length is > 0 and <= 6
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value)
            && value >= min && value <= max;
    }

    private static string Shown(ReadOnlySpan<char> text) => (text.Length > 20 ? text[..20] : text).ToString();
}
