using System.Globalization;
using System.Text;

namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>Parses mjpg-streamer's multipart body strictly: first boundary, then parts each followed by CRLF + boundary.</summary>
public static class Multipart
{
    public sealed record Part(IReadOnlyDictionary<string, string> Headers, byte[] Jpeg);

    private static readonly byte[] First = "--boundarydonotcross\r\n"u8.ToArray();
    private static readonly byte[] After = "\r\n--boundarydonotcross\r\n"u8.ToArray();

    /// <summary>The complete parts of a (possibly cut off) stream body.</summary>
    public static List<Part> Parse(byte[] body)
    {
        Assert.True(body.AsSpan().StartsWith(First), "the stream starts with the boundary");
        var parts = new List<Part>();
        var pos = First.Length;
        while (true)
        {
            var headerEnd = body.AsSpan(pos).IndexOf("\r\n\r\n"u8);
            if (headerEnd < 0)
            {
                break;
            }

            var headers = Encoding.ASCII.GetString(body, pos, headerEnd).Split("\r\n")
                .Select(l => l.Split(':', 2))
                .ToDictionary(kv => kv[0], kv => kv[1].Trim(), StringComparer.OrdinalIgnoreCase);
            Assert.Equal("image/jpeg", headers["Content-Type"]);
            Assert.Matches(@"^\d+\.\d{6}$", headers["X-Timestamp"]);
            var length = int.Parse(headers["Content-Length"], CultureInfo.InvariantCulture);
            var dataStart = pos + headerEnd + 4;
            if (dataStart + length + After.Length > body.Length)
            {
                break;
            }

            Assert.True(body.AsSpan(dataStart + length).StartsWith(After), "each JPEG is followed at once by CRLF and the boundary");
            parts.Add(new Part(headers, body[dataStart..(dataStart + length)]));
            pos = dataStart + length + After.Length;
        }

        return parts;
    }
}
