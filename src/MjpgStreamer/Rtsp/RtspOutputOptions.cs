using MjpgStreamer.Core.Options;

namespace MjpgStreamer.Rtsp;

/// <summary>output_rtsp.so's options: the original's -p and -i, and -l, -c, -n as output_http has them.</summary>
internal sealed record RtspOutputOptions(int Port, string? Listen, int Input, string? Credentials, string? Name)
{
    public const int DefaultPort = 8554;

    public static readonly IReadOnlyList<OptionSpec> Specs =
    [
        new("p", true, "p", "port"),
        new("l", true, "l", "listen"),
        new("i", true, "i", "input"),
        new("c", true, "c", "credentials") { IsSecret = true },
        new("n", true, "n", "name"),
    ];

    public static readonly string Help = PluginHelp.Format(
        "output",
        "RTSP output plugin",
        ("[-p | --port ]", "TCP port of the RTSP server (default 8554, 0: any free port)"),
        ("[-l | --listen ]", "Listen on Hostname / IP (default: all addresses)"),
        ("[-i | --input ]", "number of the input to stream (default 0)"),
        ("[-c | --credentials ]", "ask for \"username:password\" (Basic or Digest)"),
        ("[-n | --name ]", "path of the stream: rtsp://HOST:PORT/NAME\n(rtsp://HOST:PORT/ works as well)"));

    public static RtspOutputOptions From(ParsedOptions options)
    {
        var port = options.GetInt("p", DefaultPort, 0, 65535);
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

        var name = options.Get("n")?.Trim('/');
        if (name is not null && (name.Length == 0 || name.Any(c => c <= ' ' || c == '?' || c == '#' || c > '~')))
        {
            throw new UsageException($"{options.Plugin}: -n needs a path name (letters, digits and / - _ .)");
        }

        return new RtspOutputOptions(port, listen, options.GetInt("i", 0, 0, 99), credentials, name);
    }
}
