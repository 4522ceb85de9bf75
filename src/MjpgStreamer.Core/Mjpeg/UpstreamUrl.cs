using System.Globalization;
using System.Text;
using MjpgStreamer.Core.Options;

namespace MjpgStreamer.Core.Mjpeg;

/// <summary>
/// Where input_http reads from: http://[user:pass@]host[:port]/path?query, or the original's -H host and
/// -p port (path /?action=stream). Knows the request it sends; <see cref="ToString"/> never shows the password.
/// </summary>
public sealed record UpstreamUrl(string Host, int Port, string PathAndQuery, string? User, string? Password)
{
    /// <summary>The original's request path.</summary>
    public const string DefaultPath = "/?action=stream";

    /// <summary>host:port as shown in reasons and logs (IPv6 literals in brackets).</summary>
    public string Authority => Host.Contains(':', StringComparison.Ordinal)
        ? string.Create(CultureInfo.InvariantCulture, $"[{Host}]:{Port}")
        : string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");

    /// <summary>The URL as shown (password masked).</summary>
    public override string ToString() =>
        SecretMask.MaskUrls($"http://{(User is null ? "" : User + (Password is null ? "" : ":" + Password) + "@")}{Authority}{PathAndQuery}");

    /// <summary>
    /// Reads an http:// URL; user and password may be percent-encoded. Throws <see cref="UsageException"/>
    /// with a one-line reason for anything else (https, no host, a bad port).
    /// </summary>
    public static UpstreamUrl Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        const string Scheme = "http://";
        if (!text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException(text.Contains("://", StringComparison.Ordinal)
                ? $"input_http.so: only http:// URLs are supported, not '{SecretMask.MaskUrls(text)}'"
                : $"input_http.so: '{text}' is not an http:// URL");
        }

        var rest = text[Scheme.Length..];
        var pathStart = rest.IndexOfAny(['/', '?', '#']);
        var authority = pathStart < 0 ? rest : rest[..pathStart];
        var path = pathStart < 0 ? "/" : rest[pathStart..];
        var fragment = path.IndexOf('#', StringComparison.Ordinal);
        if (fragment >= 0)
        {
            path = path[..fragment];
        }

        if (path.Length == 0 || path[0] == '?')
        {
            path = "/" + path;
        }

        if (path.Any(c => c <= ' ' || c == 0x7F))
        {
            throw new UsageException($"input_http.so: the URL's path must not contain spaces or control characters: '{SecretMask.MaskUrls(text)}'");
        }

        string? user = null;
        string? password = null;
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = authority[..at];
            authority = authority[(at + 1)..];
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            user = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
            password = colon < 0 ? null : Uri.UnescapeDataString(userInfo[(colon + 1)..]);
        }

        var (host, port) = SplitHostPort(authority, text);
        return new UpstreamUrl(host, port, path, user, password);
    }

    /// <summary>The original's form: -H host, -p port, the fixed path.</summary>
    public static UpstreamUrl FromHostAndPort(string host, int port)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        return new UpstreamUrl(host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host, port, DefaultPath, null, null);
    }

    /// <summary>The request bytes (HTTP/1.1, Connection: close, Basic auth when a user is given).</summary>
    public byte[] BuildRequest()
    {
        var host = Port == 80 ? (Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host) : Authority;
        var sb = new StringBuilder();
        sb.Append("GET ").Append(PathAndQuery).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(host).Append("\r\n")
            .Append("User-Agent: mjpg_streamer input_http\r\n")
            .Append("Accept: multipart/x-mixed-replace, image/jpeg, */*\r\n");
        if (User is not null)
        {
            var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes(User + ":" + (Password ?? "")));
            sb.Append("Authorization: Basic ").Append(credentials).Append("\r\n");
        }

        sb.Append("Connection: close\r\n\r\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static (string Host, int Port) SplitHostPort(string authority, string text)
    {
        string host;
        string? port = null;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new UsageException($"input_http.so: bad IPv6 address in '{SecretMask.MaskUrls(text)}'");
            }

            host = authority[1..close];
            var after = authority[(close + 1)..];
            if (after.Length > 0)
            {
                port = after[0] == ':' ? after[1..] : throw new UsageException($"input_http.so: bad host in '{SecretMask.MaskUrls(text)}'");
            }
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            host = colon < 0 ? authority : authority[..colon];
            port = colon < 0 ? null : authority[(colon + 1)..];
        }

        if (host.Length == 0)
        {
            throw new UsageException($"input_http.so: no host in '{SecretMask.MaskUrls(text)}'");
        }

        var number = 80;
        if (port is not null && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number is < 1 or > 65535))
        {
            throw new UsageException($"input_http.so: bad port '{port}' in '{SecretMask.MaskUrls(text)}'");
        }

        return (host, number);
    }
}
