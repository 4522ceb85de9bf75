using System.Globalization;
using System.Text;

namespace MjpgStreamer.Core.Diagnostics;

/// <summary>
/// Makes text safe for a log line on a terminal: control characters (C0, DEL, C1), the Unicode line and
/// paragraph separators and the bidirectional overrides become visible escapes ("\x1b", "\u202e"), so
/// nothing a client sends (a path, a header, a user name) can move the cursor, clear the screen or start
/// what looks like a line of its own. The console log formatter applies it to every line it writes.
/// </summary>
public static class LogText
{
    /// <summary>The text with every unsafe character escaped; the same instance when there is none (the usual case).</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var first = IndexOfUnsafe(text);
        if (first < 0)
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16);
        escaped.Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (!IsUnsafe(c))
            {
                escaped.Append(c);
            }
            else if (c <= '\u00ff')
            {
                escaped.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
        }

        return escaped.ToString();
    }

    /// <summary>Where the first unsafe character is, or -1.</summary>
    public static int IndexOfUnsafe(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (IsUnsafe(text[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>C0 (tab included), DEL, C1, U+2028/U+2029, and the invisible direction marks and overrides.</summary>
    public static bool IsUnsafe(char c) => c switch
    {
        < ' ' or (>= '\u007f' and <= '\u009f') => true,
        '\u061c' or '\u200e' or '\u200f' => true,
        >= '\u2028' and <= '\u202e' => true,
        >= '\u2066' and <= '\u2069' => true,
        _ => false,
    };
}
