using System.Globalization;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Pause;

namespace MjpgStreamer.Tools;

/// <summary>
/// The options of "mjpg_streamer still" and "octolapse-still", spelled like the pause verbs' (<see cref="ToolOptions"/>:
/// "--name value" or "--name=value", full names, the last wins), plus the positional words. "--" ends the options.
/// </summary>
internal sealed record StillOptions(
    Uri BaseUrl,
    TimeSpan Timeout,
    int? Input,
    string? Command,
    string PauseFile,
    bool Help,
    IReadOnlyList<string> Positionals)
{
    private static readonly string[] ValueOptions = ["url", "timeout", "input", "command", "pause-file"];

    /// <summary>The options the pause and resume inside --command mode use.</summary>
    public ToolOptions PauseOptions(TimeSpan timeout) => new(PauseFile, BaseUrl, timeout, Help: false);

    /// <summary>
    /// Reads <paramref name="args"/>. With <paramref name="optionsFirst"/> (octolapse-still) the first word that is not
    /// an option ends the options, so Octolapse's own arguments are never taken for ours.
    /// </summary>
    public static StillOptions Parse(IReadOnlyList<string> args, bool optionsFirst)
    {
        var baseUrl = new Uri(ToolOptions.DefaultUrl);
        var timeout = ToolOptions.DefaultTimeout;
        int? input = null;
        string? command = null;
        string? pauseFile = null;
        var help = false;
        var positionals = new List<string>();

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                positionals.AddRange(args.Skip(i + 1));
                break;
            }

            if (arg is "-h" or "--help")
            {
                help = true;
                continue;
            }

            if (!arg.StartsWith('-') || arg == "-")
            {
                if (optionsFirst)
                {
                    positionals.AddRange(args.Skip(i));
                    break;
                }

                positionals.Add(arg);
                continue;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new UsageException($"invalid option '{arg}'");
            }

            var (name, value) = ToolOptions.ReadValueOption(args, ref i, ValueOptions);

            switch (name)
            {
                case "url":
                    baseUrl = ToolOptions.ParseUrl(value);
                    break;
                case "timeout":
                    timeout = ToolOptions.ParseTimeout(value);
                    break;
                case "input":
                    input = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number < 100
                        ? number
                        : throw new UsageException($"--input '{value}' is not an input number (0, 1, ...)");
                    break;
                case "command":
                    command = string.IsNullOrWhiteSpace(value) ? throw new UsageException("--command needs a command line") : value;
                    break;
                default:
                    pauseFile = value.Length > 0 ? value : throw new UsageException("--pause-file needs a file name");
                    break;
            }
        }

        if (!help)
        {
            if (command is not null && input is not null)
            {
                throw new UsageException("--input asks the server for a still; with --command the command takes it, so give only one of them");
            }

            if (command is null && pauseFile is not null)
            {
                throw new UsageException("--pause-file is only used with --command");
            }
        }

        return new StillOptions(baseUrl, timeout, input, command, pauseFile ?? PauseDefaults.LockFile, help, positionals);
    }
}
