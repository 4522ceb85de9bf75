using MjpgStreamer.Core.Options;

namespace MjpgStreamer.Http;

/// <summary>output_http.so's options: the original's letters, long names and help text.</summary>
internal sealed record HttpOutputOptions(int Port, string? Listen, string? WwwFolder, string? Credentials, bool NoCommands)
{
    public static readonly IReadOnlyList<OptionSpec> Specs =
    [
        new("p", true, "p", "port"),
        new("l", true, "l", "listen"),
        new("w", true, "w", "www"),
        new("c", true, "c", "credentials"),
        new("n", false, "n", "nocommands"),
    ];

    public static readonly string Help = PluginHelp.Format(
        "output",
        "HTTP output plugin",
        ("[-w | --www ]", "folder that contains webpages in\nflat hierarchy (no subfolders)"),
        ("[-p | --port ]", "TCP port for this HTTP server (0: any free port)"),
        ("[-l | --listen ]", "Listen on Hostname / IP (default: all addresses)"),
        ("[-c | --credentials ]", "ask for \"username:password\" on connect"),
        ("[-n | --nocommands ]", "disable execution of commands"));

    public static HttpOutputOptions From(ParsedOptions options)
    {
        var port = options.GetInt("p", 8080, 0, 65535);
        var listen = options.Get("l");
        if (listen is { Length: 0 })
        {
            throw new UsageException($"{options.Plugin}: -l needs a host name or address");
        }

        var credentials = options.Get("c");
        if (credentials is not null && !credentials.Contains(':', StringComparison.Ordinal))
        {
            throw new UsageException($"{options.Plugin}: -c expects \"username:password\"");
        }

        var www = options.Get("w");
        if (www is not null)
        {
            www = Path.GetFullPath(www);
            if (!Directory.Exists(www))
            {
                throw new StartupException($"{options.Plugin}: www folder '{www}' does not exist");
            }
        }

        return new HttpOutputOptions(port, listen, www, credentials, options.Has("n"));
    }

    /// <summary>The argument string with the password replaced, for program.json and logs.</summary>
    public static string MaskPassword(string rawArgs)
    {
        var words = rawArgs.Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            var word = words[i];
            var isCredentialOption = word.StartsWith('-') && word.TrimStart('-') is { Length: > 0 } name
                && "credentials".StartsWith(name.Split('=')[0], StringComparison.Ordinal);
            if (!isCredentialOption)
            {
                continue;
            }

            var eq = word.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                words[i] = word[..(eq + 1)] + MaskValue(word[(eq + 1)..]);
            }
            else if (i + 1 < words.Length)
            {
                words[i + 1] = MaskValue(words[i + 1]);
            }
        }

        return string.Join(' ', words);
    }

    private static string MaskValue(string credentials)
    {
        var colon = credentials.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? "***" : credentials[..(colon + 1)] + "***";
    }
}
