using System.Globalization;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Pause;

namespace MjpgStreamer.Tools;

/// <summary>
/// The options shared by the helper verbs (pause, resume): "--name value" or "--name=value", full names only
/// (a script should spell them out), the last occurrence wins. Mistakes throw <see cref="UsageException"/>.
/// </summary>
internal sealed record ToolOptions(string PauseFile, Uri BaseUrl, TimeSpan Timeout, bool Help)
{
    public const string DefaultUrl = "http://127.0.0.1:8080/";

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>CancellationTokenSource and Task.Delay take at most int.MaxValue milliseconds.</summary>
    private const double MaxTimeoutSeconds = int.MaxValue / 1000.0;

    private static readonly string[] ValueOptions = ["pause-file", "url", "timeout"];

    public static ToolOptions Parse(IReadOnlyList<string> args)
    {
        var pauseFile = PauseDefaults.LockFile;
        var baseUrl = new Uri(DefaultUrl);
        var timeout = DefaultTimeout;
        var help = false;

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                help = true;
                continue;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new UsageException(arg.StartsWith('-') && arg is not ("-" or "--")
                    ? $"invalid option '{arg}'"
                    : $"unexpected argument '{arg}'");
            }

            var (name, value) = ToolOptions.ReadValueOption(args, ref i, ValueOptions);

            switch (name)
            {
                case "pause-file":
                    pauseFile = value.Length > 0 ? value : throw new UsageException("--pause-file needs a file name");
                    break;
                case "url":
                    baseUrl = ParseUrl(value);
                    break;
                default:
                    timeout = ParseTimeout(value);
                    break;
            }
        }

        return new ToolOptions(pauseFile, baseUrl, timeout, help);
    }

    /// <summary>
    /// Reads the option word at <paramref name="i"/> ("--name value" or "--name=value"; the caller has checked it
    /// starts with "--"), moving <paramref name="i"/> past a separate value. Every option of the verbs takes a value.
    /// </summary>
    public static (string Name, string Value) ReadValueOption(IReadOnlyList<string> args, ref int i, IReadOnlyCollection<string> valueOptions)
    {
        var name = args[i][2..];
        string? value = null;
        var eq = name.IndexOf('=', StringComparison.Ordinal);
        if (eq >= 0)
        {
            value = name[(eq + 1)..];
            name = name[..eq];
        }

        if (name == "help")
        {
            throw new UsageException("option '--help' doesn't allow an argument");
        }

        if (!valueOptions.Contains(name))
        {
            throw new UsageException($"unrecognized option '--{name}'");
        }

        if (value is null)
        {
            if (i + 1 >= args.Count)
            {
                throw new UsageException($"option '--{name}' requires an argument");
            }

            value = args[++i];
        }

        return (name, value);
    }

    public static Uri ParseUrl(string value)
    {
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && uri.Host.Length > 0)
        {
            return uri;
        }

        throw new UsageException($"--url '{value}' is not an http:// address such as {DefaultUrl}");
    }

    public static TimeSpan ParseTimeout(string value)
    {
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            && seconds > 0
            && seconds <= MaxTimeoutSeconds)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        throw new UsageException($"--timeout '{value}' is not a number of seconds greater than 0");
    }
}
