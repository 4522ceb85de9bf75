namespace MjpgStreamer.Core.Options;

/// <summary>
/// Parses a plugin's words as getopt_long_only does: "-x" and "--x" are the same, a long name may be
/// shortened to any unique prefix, and a value may follow as the next word or after "=".
/// "-h"/"--help" raises <see cref="HelpRequestedException"/> with the plugin's help text.
/// A plugin that lists <see cref="OptionSpec.RestAfterDoubleDash"/> gets the words after a lone "--" as
/// <see cref="ParsedOptions.Rest"/>; for every other plugin "--" stays an unknown option.
/// </summary>
public static class PluginOptionParser
{
    public static ParsedOptions Parse(string plugin, IReadOnlyList<string> words, IReadOnlyList<OptionSpec> specs, string helpText)
    {
        var items = new List<(string, string?)>();
        var secrets = new List<string>();
        var acceptsRest = AcceptsRest(specs);
        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i];
            if (acceptsRest && word == "--")
            {
                var rest = new string[words.Count - i - 1];
                for (var j = 0; j < rest.Length; j++)
                {
                    rest[j] = words[i + 1 + j];
                }

                return new ParsedOptions(plugin, items, rest) { Secrets = secrets };
            }

            if (word.Length < 2 || word[0] != '-')
            {
                throw new UsageException($"{plugin}: unexpected argument '{word}'");
            }

            var doubleDash = word.StartsWith("--", StringComparison.Ordinal);
            var body = word[(doubleDash ? 2 : 1)..];
            string? inline = null;
            var eq = body.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                inline = body[(eq + 1)..];
                body = body[..eq];
            }

            if (body is "h" or "help" || (body.Length >= 2 && "help".StartsWith(body, StringComparison.Ordinal) && Find(specs, body, exactOnly: false) is null))
            {
                throw new HelpRequestedException(helpText);
            }

            var spec = Find(specs, body, exactOnly: false);
            if (spec is null && !doubleDash && inline is null && body.Length > 1)
            {
                // getopt's fallback for a single dash: a one-letter option with its value attached ("-d0.5").
                var shortSpec = Find(specs, body[..1], exactOnly: true);
                if (shortSpec is { HasArgument: true })
                {
                    items.Add((shortSpec.Key, body[1..]));
                    if (shortSpec.IsSecret)
                    {
                        secrets.Add(body[1..]);
                    }

                    continue;
                }
            }

            if (spec is null)
            {
                throw new UsageException($"{plugin}: unknown option '{word}'");
            }

            if (spec.HasArgument)
            {
                if (inline is null)
                {
                    if (i + 1 >= words.Count)
                    {
                        throw new UsageException($"{plugin}: option '{word}' needs a value");
                    }

                    inline = words[++i];
                }

                items.Add((spec.Key, inline));
                if (spec.IsSecret)
                {
                    secrets.Add(inline);
                }
            }
            else
            {
                if (inline is not null)
                {
                    throw new UsageException($"{plugin}: option '{word}' takes no value");
                }

                items.Add((spec.Key, null));
            }
        }

        return new ParsedOptions(plugin, items) { Secrets = secrets };
    }

    private static bool AcceptsRest(IReadOnlyList<OptionSpec> specs)
    {
        foreach (var spec in specs)
        {
            if (spec.Key == OptionSpec.RestKey && spec.Names.Length == 0)
            {
                return true;
            }
        }

        return false;
    }

    private static OptionSpec? Find(IReadOnlyList<OptionSpec> specs, string name, bool exactOnly)
    {
        foreach (var spec in specs)
        {
            foreach (var n in spec.Names)
            {
                if (n == name)
                {
                    return spec;
                }
            }
        }

        if (exactOnly || name.Length == 0)
        {
            return null;
        }

        OptionSpec? found = null;
        foreach (var spec in specs)
        {
            foreach (var n in spec.Names)
            {
                if (n.StartsWith(name, StringComparison.Ordinal))
                {
                    if (found is not null && !ReferenceEquals(found, spec))
                    {
                        throw new UsageException($"option '-{name}' is ambiguous (-{FirstLong(found)}, -{FirstLong(spec)})");
                    }

                    found = spec;
                }
            }
        }

        return found;
    }

    private static string FirstLong(OptionSpec spec) => spec.Names.OrderByDescending(n => n.Length).First();
}
