using System.Text;

namespace MjpgStreamer.Core.Options;

/// <summary>
/// Hides passwords in text we show (/program.json, logs): the values the parser took for options marked
/// <see cref="OptionSpec.IsSecret"/> ("user:pass" becomes "user:***"), and the password of every URL
/// ("rtsp://user:pass@host" becomes "rtsp://user:***@host"), however the command line spelled them.
/// </summary>
public static class SecretMask
{
    private const string Hidden = "***";

    /// <summary>The argument string of a plugin as shown: its secret option values and URL passwords masked.</summary>
    public static string Apply(string rawArgs, ParsedOptions options) => Apply(rawArgs, options.Secrets);

    /// <summary>Every occurrence of each secret in <paramref name="rawArgs"/> masked, then every URL password.</summary>
    public static string Apply(string rawArgs, IReadOnlyList<string> secrets)
    {
        var shown = rawArgs;
        foreach (var secret in secrets.Where(s => MaskValue(s) != s).OrderByDescending(s => s.Length))
        {
            if (shown.Contains(secret, StringComparison.Ordinal))
            {
                shown = shown.Replace(secret, MaskValue(secret), StringComparison.Ordinal);
            }
            else
            {
                // The value is not in the string as typed (quotes inside it: -c us"er:p"w): show the words
                // as parsed instead, which contain it whole.
                shown = Rejoin(ArgumentSplitter.SplitWords(shown), secret);
            }
        }

        return MaskUrls(shown);
    }

    /// <summary>"user:pass" → "user:***"; a value without a colon → "***"; a value with nothing after the colon stays.</summary>
    public static string MaskValue(string secret)
    {
        var colon = secret.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return secret.Length == 0 ? secret : Hidden;
        }

        return colon == secret.Length - 1 ? secret : secret[..(colon + 1)] + Hidden;
    }

    /// <summary>
    /// The password of every "scheme://user:password@host" in <paramref name="text"/> replaced by "***". The
    /// authority ends at the first '/', '?' or '#' (or a space or quote) and the user part at the last '@'
    /// before it, as ffmpeg splits a URL, so a raw '@' or ':' in the password is hidden too.
    /// </summary>
    public static string MaskUrls(string text)
    {
        var marker = text.IndexOf("://", StringComparison.Ordinal);
        if (marker < 0)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length);
        var copied = 0;
        while (marker >= 0)
        {
            var start = marker + 3;
            var end = start;
            while (end < text.Length && !EndsAuthority(text[end]))
            {
                end++;
            }

            var at = text.LastIndexOf('@', end - 1, end - start);
            var colon = at < 0 ? -1 : text.IndexOf(':', start, at - start);
            if (colon >= 0 && at > colon + 1)
            {
                sb.Append(text, copied, colon + 1 - copied).Append(Hidden);
                copied = at;
            }

            marker = end < text.Length ? text.IndexOf("://", end, StringComparison.Ordinal) : -1;
        }

        return sb.Append(text, copied, text.Length - copied).ToString();
    }

    private static bool EndsAuthority(char c) => c is '/' or '?' or '#' or '"' or '\'' or '<' or '>' || char.IsWhiteSpace(c);

    private static string Rejoin(IReadOnlyList<string> words, string secret)
    {
        var sb = new StringBuilder();
        foreach (var word in words)
        {
            var shown = word.Replace(secret, MaskValue(secret), StringComparison.Ordinal);
            sb.Append(' ').Append(shown.Contains(' ', StringComparison.Ordinal) ? $"\"{shown}\"" : shown);
        }

        return sb.ToString();
    }
}
