using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Streaming;

namespace MjpgStreamer.CommandLine;

/// <summary>
/// The global options, parsed as GNU getopt_long does for mjpg-streamer's "hi:o:vb": short options
/// (value attached or as the next word), long options with a unique prefix, "--opt=value".
/// </summary>
internal static class GlobalCommandLine
{
    public const int MaxPlugins = 10;

    /// <summary>The pause fork's lock file, the default of --pause-file.</summary>
    public const string DefaultPauseFile = Core.Pause.PauseDefaults.LockFile;

    // Long-only options have a short letter no one can type.
    private const char PauseFileOption = '\u0001';
    private const char PauseWarnOption = '\u0002';
    private const char PauseFrameOption = '\u0003';

    private static readonly (string Long, char Short, bool HasValue)[] Options =
    [
        ("input", 'i', true),
        ("output", 'o', true),
        ("help", 'h', false),
        ("version", 'v', false),
        ("background", 'b', false),
        ("pause-file", PauseFileOption, true),
        ("pause-warn", PauseWarnOption, true),
        ("pause-frame", PauseFrameOption, true),
    ];

    /// <summary>What the command line asks for: run, or print help/version.</summary>
    public enum Action
    {
        Run,
        Help,
        Version,
    }

    public static (Action Action, StreamerOptions Options) Parse(IReadOnlyList<string> args)
    {
        var inputs = new List<PluginSpec>();
        var outputs = new List<PluginSpec>();
        var background = false;
        var action = Action.Run;
        string? pauseFile = DefaultPauseFile;
        var pauseWarn = TimeSpan.FromSeconds(600);
        var pauseFrame = PauseFrame.Last;

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            char option;
            string? value = null;
            string shown;
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Length > 2)
            {
                var body = arg[2..];
                var eq = body.IndexOf('=', StringComparison.Ordinal);
                if (eq >= 0)
                {
                    value = body[(eq + 1)..];
                    body = body[..eq];
                }

                var matches = Options.Where(o => o.Long.StartsWith(body, StringComparison.Ordinal)).ToList();
                var exact = matches.Where(o => o.Long == body).ToList();
                if (exact.Count == 1)
                {
                    matches = exact;
                }

                if (matches.Count == 0)
                {
                    throw new UsageException($"unrecognized option '{arg}'");
                }

                if (matches.Count > 1)
                {
                    throw new UsageException($"option '{arg}' is ambiguous");
                }

                option = matches[0].Short;
                shown = "--" + matches[0].Long;
                if (!matches[0].HasValue && value is not null)
                {
                    throw new UsageException($"option '{shown}' doesn't allow an argument");
                }
            }
            else if (arg.StartsWith('-') && arg.Length > 1 && arg != "--")
            {
                option = arg[1];
                shown = "-" + option;
                var known = Options.Where(o => o.Short == option).ToList();
                if (known.Count == 0 || char.IsControl(option))
                {
                    throw new UsageException($"invalid option -- '{option}'");
                }

                if (arg.Length > 2)
                {
                    if (!known[0].HasValue)
                    {
                        throw new UsageException($"invalid option '{arg}' (-{option} takes no value)");
                    }

                    value = arg[2..];
                }
            }
            else
            {
                throw new UsageException($"unexpected argument '{arg}' (plugin arguments belong inside the quotes of -i or -o)");
            }

            var hasValue = Options.First(o => o.Short == option).HasValue;
            if (hasValue && value is null)
            {
                if (i + 1 >= args.Count)
                {
                    throw new UsageException($"option '{shown}' requires an argument");
                }

                value = args[++i];
            }

            switch (option)
            {
                case 'i':
                    inputs.Add(ParseSpec(value!, "input", inputs.Count));
                    break;
                case 'o':
                    outputs.Add(ParseSpec(value!, "output", outputs.Count));
                    break;
                case 'h':
                    action = Action.Help;
                    break;
                case 'v':
                    if (action != Action.Help)
                    {
                        action = Action.Version;
                    }

                    break;
                case 'b':
                    background = true;
                    break;
                case PauseFileOption:
                    pauseFile = value!.Length == 0 ? throw new UsageException("--pause-file needs a path, or none")
                        : value == "none" ? null
                        : Path.GetFullPath(value);
                    break;
                case PauseWarnOption:
                    pauseWarn = int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0
                        ? TimeSpan.FromSeconds(seconds)
                        : throw new UsageException($"--pause-warn '{value}' is not a number of seconds greater than 0");
                    break;
                case PauseFrameOption:
                    pauseFrame = value switch
                    {
                        "last" => PauseFrame.Last,
                        "placeholder" => PauseFrame.Placeholder,
                        _ => throw new UsageException($"--pause-frame '{value}' is not last or placeholder"),
                    };
                    break;
            }
        }

        return (action, new StreamerOptions(inputs, outputs, background) { PauseFile = pauseFile, PauseWarn = pauseWarn, PauseFrame = pauseFrame });
    }

    private static PluginSpec ParseSpec(string value, string kind, int count)
    {
        if (count >= MaxPlugins)
        {
            throw new UsageException($"too many {kind} plugins (at most {MaxPlugins})");
        }

        var spec = PluginSpec.Parse(value);
        if (spec.Name.Length == 0)
        {
            throw new UsageException($"-{kind[0]} needs a plugin name, such as \"{kind}_{(kind == "input" ? "file" : "http")}.so\"");
        }

        return spec;
    }
}
