using System.Globalization;
using System.Text;

namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>A response read off the wire: status, headers (names case-insensitive), body (de-chunked).</summary>
public sealed class HttpResponse
{
    public required int Status { get; init; }

    public required string StatusLine { get; init; }

    public required IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; }

    public required byte[] Body { get; init; }

    public string BodyText => Encoding.UTF8.GetString(Body);

    public string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    public static HttpResponse Parse(byte[] raw)
    {
        var end = raw.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            throw new FormatException($"no end of headers in {raw.Length} bytes: {Encoding.ASCII.GetString(raw[..Math.Min(raw.Length, 200)])}");
        }

        var lines = Encoding.ASCII.GetString(raw, 0, end).Split("\r\n");
        var statusLine = lines[0];
        var status = int.Parse(statusLine.Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = lines.Skip(1).Select(l =>
        {
            var colon = l.IndexOf(':', StringComparison.Ordinal);
            return new KeyValuePair<string, string>(l[..colon], l[(colon + 1)..].Trim());
        }).ToList();
        var body = raw[(end + 4)..];
        if (headers.Any(h => h.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && h.Value.Contains("chunked", StringComparison.OrdinalIgnoreCase)))
        {
            body = Dechunk(body);
        }

        return new HttpResponse { Status = status, StatusLine = statusLine, Headers = headers, Body = body };
    }

    private static byte[] Dechunk(byte[] chunked)
    {
        var output = new MemoryStream();
        var pos = 0;
        while (pos < chunked.Length)
        {
            var lineEnd = chunked.AsSpan(pos).IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                break;
            }

            var size = int.Parse(Encoding.ASCII.GetString(chunked, pos, lineEnd).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            pos += lineEnd + 2;
            if (size == 0)
            {
                break;
            }

            var take = Math.Min(size, chunked.Length - pos);
            output.Write(chunked, pos, take);
            pos += take + 2;
        }

        return output.ToArray();
    }
}
