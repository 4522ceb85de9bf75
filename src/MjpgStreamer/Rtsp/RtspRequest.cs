using System.Globalization;

namespace MjpgStreamer.Rtsp;

/// <summary>One RTSP request's line and headers (RFC 2326 6).</summary>
internal sealed class RtspRequest
{
    private readonly Dictionary<string, string> _headers;

    private RtspRequest(string method, string uri, Dictionary<string, string> headers)
    {
        Method = method;
        Uri = uri;
        _headers = headers;
    }

    public string Method { get; }

    public string Uri { get; }

    public string? CSeq => Header("CSeq");

    public int ContentLength =>
        int.TryParse(Header("Content-Length"), NumberStyles.None, CultureInfo.InvariantCulture, out var length) ? length : 0;

    public string? Header(string name) => _headers.GetValueOrDefault(name);

    /// <summary>The request from its head (without the blank line), or null when it is not RTSP/1.0.</summary>
    public static RtspRequest? Parse(string head)
    {
        var lines = head.Split('\n');
        var parts = lines[0].TrimEnd('\r').Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 || !parts[2].StartsWith("RTSP/1.", StringComparison.Ordinal))
        {
            return null;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in lines.AsSpan(1))
        {
            var line = raw.TrimEnd('\r');
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        return new RtspRequest(parts[0].ToUpperInvariant(), parts[1], headers);
    }

    /// <summary>The path of an rtsp:// URL (or of a bare path), without slashes at either end and without a query.</summary>
    public static string PathOf(string uri)
    {
        var path = uri;
        var scheme = path.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            var slash = path.IndexOf('/', scheme + 3);
            path = slash < 0 ? "" : path[slash..];
        }

        var query = path.IndexOfAny(['?', '#']);
        if (query >= 0)
        {
            path = path[..query];
        }

        return path.Trim('/');
    }
}

/// <summary>The transport a client asked for in SETUP: interleaved TCP channels, or its UDP port pair.</summary>
internal sealed record RtspTransport(bool Tcp, int First, int Second)
{
    /// <summary>The first of the client's (comma-separated) choices this server offers: RTP/AVP/TCP interleaved or RTP/AVP(/UDP) unicast.</summary>
    public static RtspTransport? Choose(string? header)
    {
        if (header is null)
        {
            return null;
        }

        foreach (var spec in header.Split(','))
        {
            var fields = spec.Split(';', StringSplitOptions.TrimEntries);
            var protocol = fields[0].ToUpperInvariant();
            if (fields.Any(f => f.Equals("multicast", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            if (protocol == "RTP/AVP/TCP")
            {
                var (first, second) = Range(fields, "interleaved") ?? (0, 1);
                if (first is >= 0 and < 255 && second == first + 1)
                {
                    return new RtspTransport(true, first, second);
                }
            }
            else if (protocol is "RTP/AVP" or "RTP/AVP/UDP" && Range(fields, "client_port") is var (rtp, rtcp)
                && rtp is > 0 and < 65535 && rtcp is > 0 and <= 65535)
            {
                return new RtspTransport(false, rtp, rtcp);
            }
        }

        return null;
    }

    private static (int First, int Second)? Range(string[] fields, string name)
    {
        foreach (var field in fields)
        {
            if (!field.StartsWith(name + "=", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var value = field[(name.Length + 1)..];
            var dash = value.IndexOf('-', StringComparison.Ordinal);
            var firstText = dash < 0 ? value : value[..dash];
            if (!int.TryParse(firstText, NumberStyles.None, CultureInfo.InvariantCulture, out var first))
            {
                return null;
            }

            if (dash < 0)
            {
                return (first, first + 1);
            }

            return int.TryParse(value[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var second) ? (first, second) : null;
        }

        return null;
    }
}
