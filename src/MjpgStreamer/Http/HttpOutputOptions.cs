using System.Globalization;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Core.Options;

namespace MjpgStreamer.Http;

/// <summary>output_http.so's options: the original's letters, long names and help text.</summary>
internal sealed record HttpOutputOptions(int Port, string? Listen, string? WwwFolder, string? Credentials, bool NoCommands)
{
    public const int DefaultMaxClients = 500;

    public const int DefaultMaxConnections = 2000;

    /// <summary>-hosts: the Host header values (names or addresses, without port) this server answers; empty = any.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>-max_clients: stream clients at most (0 = no limit); the next gets 503 with Retry-After.</summary>
    public int MaxClients { get; init; } = DefaultMaxClients;

    /// <summary>-max_connections: open TCP connections at most (0 = no limit).</summary>
    public int MaxConnections { get; init; } = DefaultMaxConnections;

    /// <summary>-cert and -key: PEM files; when both are given the port speaks HTTPS only.</summary>
    public string? CertificateFile { get; init; }

    public string? KeyFile { get; init; }

    /// <summary>-cert and -key loaded (checked when the options are, so -b refuses a bad pair before forking).</summary>
    public TlsCertificate? Tls { get; init; }

    /// <summary>-stream_fps: frames per second at most for each stream client that does not ask (fps=); null = the input's rate.</summary>
    public double? StreamFps { get; init; }

    /// <summary>-drop_same_frames N: up to N frames in a row identical to the last one sent to a client are not sent (0 = off).</summary>
    public int DropSameFrames { get; init; }

    /// <summary>-stream_size WxH or -scale 1/N: the size of every stream client that does not ask (width=); null = capture size.</summary>
    public ShapeKey? StreamSize { get; init; }

    /// <summary>-stream_quality Q: the JPEG quality of every stream client that does not ask (quality=); null = as captured.</summary>
    public int? StreamQuality { get; init; }

    public static readonly IReadOnlyList<OptionSpec> Specs =
    [
        new("p", true, "p", "port"),
        new("l", true, "l", "listen"),
        new("w", true, "w", "www"),
        new("c", true, "c", "credentials") { IsSecret = true },
        new("n", false, "n", "nocommands"),
        new("hosts", true, "hosts"),
        new("max_clients", true, "max_clients"),
        new("max_connections", true, "max_connections"),
        new("cert", true, "cert"),
        new("key", true, "key"),
        new("stream_fps", true, "stream_fps"),
        new("drop_same_frames", true, "drop_same_frames"),
        new("stream_size", true, "stream_size"),
        new("scale", true, "scale"),
        new("stream_quality", true, "stream_quality"),
    ];

    public static readonly string Help = PluginHelp.Format(
        "output",
        "HTTP output plugin",
        ("[-w | --www ]", "folder that contains webpages in\nflat hierarchy (no subfolders)"),
        ("[-p | --port ]", "TCP port for this HTTP server (0: any free port)"),
        ("[-l | --listen ]", "Listen on Hostname / IP (default: all addresses)"),
        ("[-c | --credentials ]", "ask for \"username:password\" on connect"),
        ("[-n | --nocommands ]", "disable execution of commands"),
        ("[-hosts ]", "comma-separated Host names/addresses to answer\n(default: any; closes DNS rebinding)"),
        ("[-max_clients ]", "stream clients at most (default 500, 0: no limit)"),
        ("[-max_connections ]", "connections at most (default 2000, 0: no limit)"),
        ("[-cert ]", "PEM certificate file: serve HTTPS (with -key)"),
        ("[-key ]", "PEM private key file of -cert"),
        ("[-stream_fps ]", "frames per second at most per stream client\n(default: the input's; a client's &fps= overrides)"),
        ("[-drop_same_frames ]", "skip up to N frames identical to the last one\nsent to a client (default 0: off)"),
        ("[-stream_size ]", "WxH: streams as large as fits WxH in the capture's\nproportions (snapshots stay full size)"),
        ("[-scale ]", "1/2, 1/4 or 1/8: streams scaled by this factor"),
        ("[-stream_quality ]", "JPEG quality 1..100 of the streams (re-encoded;\ndefault: as captured, or 80 when scaled)"));

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

        var hosts = (options.Get("hosts") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (options.Get("hosts") is not null && hosts.Length == 0)
        {
            throw new UsageException($"{options.Plugin}: -hosts needs a comma-separated list of host names or addresses");
        }

        var certificate = options.Get("cert");
        var key = options.Get("key");
        if ((certificate is null) != (key is null))
        {
            throw new UsageException($"{options.Plugin}: -cert and -key go together (PEM certificate and its private key)");
        }

        foreach (var file in new[] { certificate, key })
        {
            if (file is not null && !File.Exists(file))
            {
                throw new StartupException($"{options.Plugin}: '{file}' does not exist");
            }
        }

        double? streamFps = null;
        if (options.Get("stream_fps") is { } fpsText)
        {
            if (!StreamQuery.TryParseFps(fpsText, out var fps))
            {
                throw new UsageException($"{options.Plugin}: -stream_fps '{fpsText}' is not a number greater than 0 and at most {StreamQuery.MaxFps}");
            }

            streamFps = fps;
        }

        var (streamSize, streamQuality) = StreamShape(options);
        certificate = certificate is null ? null : Path.GetFullPath(certificate);
        key = key is null ? null : Path.GetFullPath(key);
        return new HttpOutputOptions(port, listen, www, credentials, options.Has("n"))
        {
            Hosts = hosts,
            MaxClients = options.GetInt("max_clients", DefaultMaxClients, 0),
            MaxConnections = options.GetInt("max_connections", DefaultMaxConnections, 0),
            CertificateFile = certificate,
            KeyFile = key,
            StreamFps = streamFps,
            DropSameFrames = options.GetInt("drop_same_frames", 0, 0),
            StreamSize = streamSize,
            StreamQuality = streamQuality,
            Tls = certificate is null ? null : TlsCertificate.Load(options.Plugin, certificate, key!),
        };
    }

    /// <summary>-stream_size WxH or -scale 1/N (not both), and -stream_quality Q.</summary>
    private static (ShapeKey? Size, int? Quality) StreamShape(ParsedOptions options)
    {
        var sizeText = options.Get("stream_size");
        var scaleText = options.Get("scale");
        if (sizeText is not null && scaleText is not null)
        {
            throw new UsageException($"{options.Plugin}: -stream_size and -scale both set the stream's size; give one");
        }

        int? quality = null;
        if (options.Get("stream_quality") is { } qualityText)
        {
            if (!ShapeQuery.TryParseQuality(qualityText, out var q))
            {
                throw new UsageException($"{options.Plugin}: -stream_quality '{qualityText}' is not a whole number from 1 to 100");
            }

            quality = q;
        }

        ShapeKey? size = null;
        if (sizeText is not null)
        {
            var parts = sizeText.Split('x', 'X');
            if (parts.Length != 2
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var width)
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var height)
                || width is < 1 or > ShapeQuery.MaxWidth || height is < 1 or > ShapeQuery.MaxWidth)
            {
                throw new UsageException($"{options.Plugin}: -stream_size '{sizeText}' is not WxH (such as 640x360)");
            }

            size = ShapeKey.ForSize(width, height, ShapeQuery.DefaultQuality);
        }
        else if (scaleText is not null)
        {
            if (!ScaleChoice.TryParseScale(scaleText, out var denominator))
            {
                throw new UsageException($"{options.Plugin}: -scale '{scaleText}' is not 1/2, 1/4 or 1/8");
            }

            size = denominator == 1 ? null : ShapeKey.ForScale(denominator, ShapeQuery.DefaultQuality);
        }

        return (size, quality);
    }
}
