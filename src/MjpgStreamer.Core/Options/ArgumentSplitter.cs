using System.Text;

namespace MjpgStreamer.Core.Options;

/// <summary>
/// Splits a plugin specification ("input_file.so -f /tmp -d 0.5") the way mjpg-streamer does: on spaces,
/// with runs of spaces collapsing. In addition, double quotes group words ("-c \"my script\"").
/// </summary>
public static class ArgumentSplitter
{
    /// <summary>The plugin name (before the first space) and the raw rest, leading space included.</summary>
    public static (string Name, string RawArgs) SplitSpec(string spec)
    {
        var trimmed = spec.TrimStart(' ');
        var space = trimmed.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (trimmed, "") : (trimmed[..space], trimmed[space..]);
    }

    public static IReadOnlyList<string> SplitWords(string args)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        var quoted = false;
        foreach (var c in args)
        {
            if (c == '"')
            {
                quoted = !quoted;
                inWord = true;
                continue;
            }

            if (c == ' ' && !quoted)
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }

                continue;
            }

            word.Append(c);
            inWord = true;
        }

        if (quoted)
        {
            throw new UsageException($"unbalanced double quote in plugin arguments '{args.Trim()}'");
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }
}
