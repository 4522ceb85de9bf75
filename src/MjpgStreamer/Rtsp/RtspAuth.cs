using System.Security.Cryptography;
using System.Text;

namespace MjpgStreamer.Rtsp;

/// <summary>
/// -c user:pass for RTSP: a request answers a 401 with both challenges (Digest, RFC 2617 without qop, and Basic);
/// either answer is accepted. The nonce is random per output.
/// </summary>
internal sealed class RtspAuth
{
    public const string Realm = "MjpgStreamer";

    private readonly string _user;
    private readonly string _password;
    private readonly byte[] _basic;
    private readonly string _nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public RtspAuth(string credentials)
    {
        var colon = credentials.IndexOf(':', StringComparison.Ordinal);
        _user = credentials[..colon];
        _password = credentials[(colon + 1)..];
        _basic = Encoding.UTF8.GetBytes(credentials);
    }

    /// <summary>The WWW-Authenticate headers of a 401.</summary>
    public IEnumerable<string> Challenges =>
    [
        $"WWW-Authenticate: Digest realm=\"{Realm}\", nonce=\"{_nonce}\", algorithm=MD5",
        $"WWW-Authenticate: Basic realm=\"{Realm}\"",
    ];

    public bool IsAuthorized(string method, string? authorization)
    {
        if (authorization is null)
        {
            return false;
        }

        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var given = Convert.FromBase64String(authorization[6..].Trim());
                return CryptographicOperations.FixedTimeEquals(given, _basic);
            }
            catch (FormatException)
            {
                return false;
            }
        }

        if (!authorization.StartsWith("Digest ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var fields = ParseFields(authorization.AsSpan(7));
        if (!fields.TryGetValue("username", out var user) || user != _user
            || !fields.TryGetValue("nonce", out var nonce) || nonce != _nonce
            || !fields.TryGetValue("uri", out var uri)
            || !fields.TryGetValue("response", out var response))
        {
            return false;
        }

        var realm = fields.GetValueOrDefault("realm", Realm);
        var ha1 = Md5Hex($"{_user}:{realm}:{_password}");
        var ha2 = Md5Hex($"{method}:{uri}");
        var expected = fields.TryGetValue("qop", out var qop) && qop.Length > 0
            ? Md5Hex($"{ha1}:{nonce}:{fields.GetValueOrDefault("nc")}:{fields.GetValueOrDefault("cnonce")}:{qop}:{ha2}")
            : Md5Hex($"{ha1}:{nonce}:{ha2}");
        return realm == Realm && CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(response.ToLowerInvariant()));
    }

    // Digest (RFC 2617) is defined on MD5; RTSP clients know nothing else.
#pragma warning disable CA5351
    private static string Md5Hex(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351

    private static Dictionary<string, string> ParseFields(ReadOnlySpan<char> text)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ' ' || text[i] == ','))
            {
                i++;
            }

            var eq = text[i..].IndexOf('=');
            if (eq < 0)
            {
                break;
            }

            var key = text.Slice(i, eq).Trim().ToString();
            i += eq + 1;
            string value;
            if (i < text.Length && text[i] == '"')
            {
                var close = text[(i + 1)..].IndexOf('"');
                if (close < 0)
                {
                    break;
                }

                value = text.Slice(i + 1, close).ToString();
                i += close + 2;
            }
            else
            {
                var comma = text[i..].IndexOf(',');
                var end = comma < 0 ? text.Length : i + comma;
                value = text[i..end].Trim().ToString();
                i = end;
            }

            fields[key] = value;
        }

        return fields;
    }
}
