using System.Globalization;
using System.Net;

namespace MjpgStreamer.LoadClient;

/// <summary>The command line, validated: a loopback server, positive counts, finite times.</summary>
internal sealed record LoadClientOptions
{
    public const string Usage =
        """
        usage: MjpgStreamer.LoadClient --url http://127.0.0.1:PORT/ [options]
          --url URL        the server (loopback only: 127.0.0.0/8, localhost, [::1])
          --clients N      stream connections to open (default 1)
          --duration S     measured window in seconds (default 10)
          --warmup S       seconds before the window, not counted (default 2)
          --input N        stream ?action=stream_N and read inputs[N] from /state
                           (default: ?action=stream and input 0)
          --stream PATH    stream this path and query instead, e.g. /stream (ustreamer); must
                           start with /; /state is still read for input 0 (or --input)
          --pid PID        server process: CPU seconds and RSS from /proc
          --ramp-ms MS     spread the connects evenly over MS milliseconds (default 0);
                           the warmup starts after the ramp
          --http11         ask for the stream with HTTP/1.1 (default HTTP/1.0); a chunked
                           answer is taken apart
          --rtsp URL       be RTSP clients of this rtsp:// URL (loopback only) instead: DESCRIBE,
                           SETUP (RTP over TCP interleaved), PLAY; frames counted by the RTP
                           marker bit, latency from the RTCP sender reports; /state from --url
          --json           print the report as one JSON object
        exit status: 0 ok, 1 a client failed to connect or its stream broke, 2 bad command line
        """;

    public required Uri Url { get; init; }

    public required IPEndPoint EndPoint { get; init; }

    public int Clients { get; init; } = 1;

    public double DurationSeconds { get; init; } = 10;

    public double WarmupSeconds { get; init; } = 2;

    /// <summary>Null means "?action=stream" (the default input 0 of the original).</summary>
    public int? Input { get; init; }

    public int? Pid { get; init; }

    public int RampMilliseconds { get; init; }

    public bool Json { get; init; }

    /// <summary>The stream's path and query when given (--stream, another server's URL); null: mjpg-streamer's.</summary>
    public string? StreamPath { get; init; }

    /// <summary>Ask with HTTP/1.1 (--http11); a chunked answer is decoded.</summary>
    public bool Http11 { get; init; }

    /// <summary>--rtsp: the RTSP stream's URL and endpoint (the clients connect there; --url still gives /state).</summary>
    public Uri? RtspUrl { get; init; }

    public IPEndPoint? RtspEndPoint { get; init; }

    public int InputId => Input ?? 0;

    public string StreamPathAndQuery => StreamPath ?? Url.AbsolutePath + (Input is { } n ? $"?action=stream_{n}" : "?action=stream");

    public string StatePath => Url.AbsolutePath.TrimEnd('/') + "/state";

    public string HostHeader => Url.Authority;

    /// <summary>Parses the command line; returns null and sets <paramref name="error"/> (one line) when it is wrong.</summary>
    public static LoadClientOptions? Parse(IReadOnlyList<string> args, out string? error, out bool helpRequested)
    {
        error = null;
        helpRequested = false;
        string? url = null;
        int clients = 1, rampMs = 0;
        double duration = 10, warmup = 2;
        int? input = null, pid = null;
        string? stream = null;
        string? rtsp = null;
        var json = false;
        var http11 = false;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "--help" or "-h")
            {
                helpRequested = true;
                return null;
            }

            if (name == "--json")
            {
                json = true;
                continue;
            }

            if (name == "--http11")
            {
                http11 = true;
                continue;
            }

            if (i + 1 >= args.Count)
            {
                error = $"{name}: missing value";
                return null;
            }

            var value = args[++i];
            var ok = name switch
            {
                "--url" => (url = value) is not null,
                "--clients" => TryInt(value, 1, 100_000, out clients),
                "--duration" => TrySeconds(value, 0.1, out duration),
                "--warmup" => TrySeconds(value, 0, out warmup),
                "--input" => TryNullableInt(value, 0, 1000, out input),
                "--pid" => TryNullableInt(value, 1, int.MaxValue, out pid),
                "--ramp-ms" => TryInt(value, 0, 600_000, out rampMs),
                "--stream" => IsPathAndQuery(value) && (stream = value) is not null,
                "--rtsp" => (rtsp = value) is not null,
                _ => false,
            };
            if (!ok)
            {
                error = name.StartsWith("--", StringComparison.Ordinal) && IsKnown(name)
                    ? $"{name}: bad value \"{value}\""
                    : $"unknown option \"{name}\"";
                return null;
            }
        }

        if (url is null)
        {
            error = "--url is required";
            return null;
        }

        if (!TryLoopbackEndPoint(url, out var uri, out var endPoint, out error))
        {
            return null;
        }

        Uri? rtspUri = null;
        IPEndPoint? rtspEndPoint = null;
        if (rtsp is not null)
        {
            if (!rtsp.StartsWith("rtsp://", StringComparison.OrdinalIgnoreCase)
                || !TryLoopbackEndPoint("http://" + rtsp[7..], out var asHttp, out rtspEndPoint, out error))
            {
                error = error?.Replace("--url", "--rtsp", StringComparison.Ordinal) ?? $"--rtsp: \"{rtsp}\" is not an rtsp:// URL";
                return null;
            }

            rtspUri = new Uri("rtsp://" + asHttp.Authority + asHttp.PathAndQuery);
            if (asHttp.IsDefaultPort && !rtsp[7..].Split('/')[0].Contains(':', StringComparison.Ordinal))
            {
                rtspEndPoint = new IPEndPoint(rtspEndPoint!.Address, 554);
            }
        }

        return new LoadClientOptions
        {
            Url = uri,
            EndPoint = endPoint,
            Clients = clients,
            DurationSeconds = duration,
            WarmupSeconds = warmup,
            Input = input,
            Pid = pid,
            RampMilliseconds = rampMs,
            Json = json,
            StreamPath = stream,
            Http11 = http11,
            RtspUrl = rtspUri,
            RtspEndPoint = rtspEndPoint,
        };
    }

    /// <summary>Accepts only http URLs whose host is a loopback address: a load test must never hit another machine.</summary>
    public static bool TryLoopbackEndPoint(string url, out Uri uri, out IPEndPoint endPoint, out string? error)
    {
        endPoint = null!;
        if (!Uri.TryCreate(url, UriKind.Absolute, out uri!) || uri.Scheme != Uri.UriSchemeHttp)
        {
            error = $"--url: \"{url}\" is not an http:// URL";
            return false;
        }

        IPAddress? address;
        if (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
        }
        else if (!IPAddress.TryParse(uri.DnsSafeHost, out address) || !IPAddress.IsLoopback(address))
        {
            error = $"--url: refusing \"{uri.Host}\": the load client only talks to loopback addresses (127.0.0.0/8, localhost, ::1)";
            return false;
        }

        endPoint = new IPEndPoint(address, uri.Port);
        error = null;
        return true;
    }

    private static bool IsKnown(string name) =>
        name is "--url" or "--clients" or "--duration" or "--warmup" or "--input" or "--pid" or "--ramp-ms" or "--stream" or "--rtsp";

    /// <summary>"/stream", "/?action=stream_1": an absolute path, printable ASCII without spaces (it goes into the request line).</summary>
    private static bool IsPathAndQuery(string text) =>
        text.StartsWith('/') && text.All(c => c is > ' ' and < (char)127);

    private static bool TryInt(string text, int min, int max, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;

    private static bool TryNullableInt(string text, int min, int max, out int? value)
    {
        var ok = TryInt(text, min, max, out var parsed);
        value = ok ? parsed : null;
        return ok;
    }

    private static bool TrySeconds(string text, double min, out double value) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value)
        && value >= min && value <= 24 * 3600;
}
