using System.Globalization;

namespace MjpgStreamer.Http;

/// <summary>
/// The shaping parameters of a stream request's query ("fps=5"); the others (action, input, cache busters)
/// are not looked at here, as the original ignores unknown parameters.
/// </summary>
internal readonly record struct StreamQuery(double? Fps)
{
    public const double MaxFps = 120;

    /// <summary>Parses the query of <paramref name="rawTarget"/>; <paramref name="error"/> is the one-line reason for a 400.</summary>
    public static bool TryParse(string rawTarget, out StreamQuery query, out string? error)
    {
        query = default;
        error = null;
        var question = rawTarget.IndexOf('?', StringComparison.Ordinal);
        if (question < 0)
        {
            return true;
        }

        double? fps = null;
        foreach (var part in rawTarget.AsSpan(question + 1).Split('&'))
        {
            var pair = rawTarget.AsSpan(question + 1)[part];
            if (!pair.StartsWith("fps=", StringComparison.Ordinal))
            {
                continue;
            }

            var text = pair["fps=".Length..];
            if (!TryParseFps(text, out var value))
            {
                var shown = text.Length > 20 ? text[..20] : text;
                error = $"fps '{shown}' is not a number greater than 0 and at most {MaxFps.ToString(CultureInfo.InvariantCulture)}";
                return false;
            }

            fps = value;
        }

        query = new StreamQuery(fps);
        return true;
    }

    /// <summary>A decimal number in (0, 120]: digits with an optional fraction, no sign, exponent or spaces.</summary>
    public static bool TryParseFps(ReadOnlySpan<char> text, out double fps)
    {
        fps = 0;
        return text.Length is > 0 and <= 16
            && double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out fps)
            && fps > 0 && fps <= MaxFps;
    }
}
