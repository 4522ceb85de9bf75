using System.Text;

namespace MjpgStreamer.Soak;

/// <summary>
/// About a hundred malformed requests: bad request lines, huge or broken headers, bad encodings, NULs, bad
/// Content-Length and Transfer-Encoding, bad Authorization headers, other protocols, pipelined junk.
/// </summary>
public static class MalformedCorpus
{
    private const string Good = "dXNlcjpwdw=="; // user:pw

    public static IReadOnlyList<(string Name, byte[] Bytes)> Build()
    {
        var list = new List<(string, byte[])>();
        void Add(string name, string text) => list.Add((name, Encoding.Latin1.GetBytes(text)));
        void Raw(string name, byte[] bytes) => list.Add((name, bytes));
        void Req(string name, string requestLine, params string[] headers)
        {
            var text = new StringBuilder(requestLine).Append("\r\n");
            foreach (var header in headers)
            {
                text.Append(header).Append("\r\n");
            }

            Add(name, text.Append("\r\n").ToString());
        }

        // Request lines.
        Add("empty", "");
        Add("blank lines", "\r\n\r\n\r\n");
        Add("method only", "GET\r\n\r\n");
        Add("HTTP/0.9", "GET /\r\n\r\n");
        Req("HTTP/9.9", "GET / HTTP/9.9", "Host: x");
        Req("HTTP/1.10", "GET / HTTP/1.10", "Host: x");
        Req("no version digits", "GET / HTTP/", "Host: x");
        Req("lowercase version", "GET / http/1.1", "Host: x");
        Req("extra token", "GET / HTTP/1.1 extra", "Host: x");
        Req("double space", "GET  / HTTP/1.1", "Host: x");
        Req("tab separator", "GET\t/\tHTTP/1.1", "Host: x");
        Req("lowercase method", "get /?action=snapshot HTTP/1.1", "Host: x");
        Req("unknown method", "FOO /?action=snapshot HTTP/1.1", "Host: x");
        Req("method with NUL", "G\0T / HTTP/1.1", "Host: x");
        Req("10 KB method", new string('G', 10_000) + " / HTTP/1.1", "Host: x");
        Req("absolute form", "GET http://127.0.0.1/?action=snapshot HTTP/1.1", "Host: x");
        Req("absolute form other host", "GET http://example.invalid/state HTTP/1.1", "Host: x");
        Req("CONNECT", "CONNECT 127.0.0.1:80 HTTP/1.1", "Host: 127.0.0.1:80");
        Req("OPTIONS *", "OPTIONS * HTTP/1.1", "Host: x");
        Req("GET *", "GET * HTTP/1.1", "Host: x");
        Req("relative target", "GET state HTTP/1.1", "Host: x");
        Req("dot-dot target", "GET ../../etc/passwd HTTP/1.1", "Host: x");
        Req("encoded dot-dot", "GET /..%2f..%2fetc%2fpasswd HTTP/1.1", "Host: x");
        Req("encoded dots", "GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1", "Host: x");
        Req("overlong UTF-8 dots", "GET /%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd HTTP/1.1", "Host: x");
        Req("double slash", "GET //etc/passwd HTTP/1.1", "Host: x");
        Req("backslashes", "GET /..\\..\\etc\\passwd HTTP/1.1", "Host: x");
        Req("encoded NUL", "GET /index.html%00.jpg HTTP/1.1", "Host: x");
        Req("raw NUL in path", "GET /in\0dex.html HTTP/1.1", "Host: x");
        Req("raw high bytes", "GET /\xff\xfe\x80.html HTTP/1.1", "Host: x");
        Req("bad percent", "GET /%zz HTTP/1.1", "Host: x");
        Req("trailing percent", "GET /% HTTP/1.1", "Host: x");
        Req("percent in action", "GET /?action=% HTTP/1.1", "Host: x");
        Req("percent-encoded action", "GET /?action=%73napshot HTTP/1.1", "Host: x");
        Req("100 KB path", "GET /" + new string('a', 100_000) + " HTTP/1.1", "Host: x");
        Req("100 KB query", "GET /?action=snapshot&x=" + new string('b', 100_000) + " HTTP/1.1", "Host: x");
        Req("stream index overflow", "GET /?action=stream_99999999999999999999 HTTP/1.1", "Host: x");
        Req("stream index negative", "GET /?action=stream_-1 HTTP/1.1", "Host: x");
        Req("snapshot index letters", "GET /?action=snapshot_abc HTTP/1.1", "Host: x");
        Req("input json overflow", "GET /input_99999999999999999999.json HTTP/1.1", "Host: x");
        Req("stream input param junk", "GET /stream?input=%ff%ff HTTP/1.1", "Host: x");
        Req("command id overflow", "GET /?action=command&dest=0&plugin=0&id=99999999999999999999&group=1&value=1 HTTP/1.1", "Host: x");
        Req("command negative plugin", "GET /?action=command&dest=0&plugin=-5&id=1&group=1&value=1 HTTP/1.1", "Host: x");
        Req("command bad value", "GET /?action=command&dest=0&plugin=0&id=9963776&group=1&value=%zz HTTP/1.1", "Host: x");
        Req("command huge value", "GET /?action=command&dest=0&plugin=0&id=9963776&group=1&value=" + new string('9', 5000) + " HTTP/1.1", "Host: x");
        Req("command dest junk", "GET /?action=command&dest=x&plugin=y&id=z HTTP/1.1", "Host: x");
        Req("pause junk wait", "GET /?action=resume&wait=%00 HTTP/1.1", "Host: x");
        Req("many query params", "GET /?" + string.Join('&', Enumerable.Range(0, 2000).Select(i => $"p{i}={i}")) + "&action=snapshot HTTP/1.1", "Host: x");
        Add("bare LF line endings", "GET /state HTTP/1.1\nHost: x\n\n");
        Add("bare CR line endings", "GET /state HTTP/1.1\rHost: x\r\r");
        Add("leading CRLFs", "\r\n\r\n\r\nGET /state HTTP/1.1\r\nHost: x\r\n\r\n");
        Add("request line never ends", "GET /?action=stream HTTP/1.1");
        Add("headers never end", "GET /?action=stream HTTP/1.1\r\nHost: x\r\n");

        // Headers.
        Req("no Host", "GET /state HTTP/1.1");
        Req("two Hosts", "GET /state HTTP/1.1", "Host: a", "Host: b");
        Req("Host junk", "GET /state HTTP/1.1", "Host: \x01\x02 @@ [::");
        Req("header without colon", "GET /state HTTP/1.1", "Host: x", "NoColonHere");
        Req("space before colon", "GET /state HTTP/1.1", "Host : x");
        Req("empty header name", "GET /state HTTP/1.1", "Host: x", ": value");
        Req("NUL in header name", "GET /state HTTP/1.1", "Host: x", "X-\0Bad: 1");
        Req("NUL in header value", "GET /state HTTP/1.1", "Host: x", "X-Bad: a\0b");
        Req("CTL in header value", "GET /state HTTP/1.1", "Host: x", "X-Bad: \x07\x1b[31m");
        Req("high bytes in header", "GET /state HTTP/1.1", "Host: x", "X-Bad: \xc3\x28\xff");
        Req("obs-fold", "GET /state HTTP/1.1", "Host: x", "X-Folded: a", " continued");
        Req("64 KB header", "GET /state HTTP/1.1", "Host: x", "X-Big: " + new string('h', 64 * 1024));
        Req("1 MB header", "GET /state HTTP/1.1", "Host: x", "X-Huge: " + new string('h', 1024 * 1024));
        Req("2000 headers", "GET /state HTTP/1.1", [.. Enumerable.Range(0, 2000).Select(i => $"X-H{i}: {i}").Prepend("Host: x")]);
        Req("8 KB cookie", "GET /?action=snapshot HTTP/1.1", "Host: x", "Cookie: " + new string('c', 8192));
        Req("bad Range", "GET /?action=snapshot HTTP/1.1", "Host: x", "Range: bytes=-1-");
        Req("bad If-Modified-Since", "GET /index.html HTTP/1.1", "Host: x", "If-Modified-Since: yesterday-ish");
        Req("bad Accept-Encoding", "GET /index.html HTTP/1.1", "Host: x", "Accept-Encoding: gzip;q=x, \xff");
        Req("Expect 100-continue", "GET /state HTTP/1.1", "Host: x", "Expect: 100-continue");
        Req("Expect junk", "POST /stream HTTP/1.1", "Host: x", "Expect: 999-nope", "Content-Length: 0");
        Req("websocket upgrade", "GET /?action=stream HTTP/1.1", "Host: x", "Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Key: x", "Sec-WebSocket-Version: 13");
        Req("h2c upgrade", "GET /state HTTP/1.1", "Host: x", "Connection: Upgrade, HTTP2-Settings", "Upgrade: h2c", "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA");
        Req("Connection junk", "GET /state HTTP/1.1", "Host: x", "Connection: \x01, close, keep-alive, upgrade");

        // Bodies: Content-Length and Transfer-Encoding.
        Req("negative Content-Length", "POST /stream HTTP/1.1", "Host: x", "Content-Length: -1");
        Req("letters Content-Length", "POST /stream HTTP/1.1", "Host: x", "Content-Length: abc");
        Req("overflow Content-Length", "POST /stream HTTP/1.1", "Host: x", "Content-Length: 99999999999999999999");
        Req("two Content-Lengths", "POST /stream HTTP/1.1", "Host: x", "Content-Length: 5", "Content-Length: 6");
        Req("Content-Length list", "POST /stream HTTP/1.1", "Host: x", "Content-Length: 5, 6");
        Req("exponent Content-Length", "POST /stream HTTP/1.1", "Host: x", "Content-Length: 1e3");
        Req("plus Content-Length", "POST /stream HTTP/1.1", "Host: x", "Content-Length: +5");
        Add("short body", "POST /stream HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345");
        Req("body over the limit", "POST /stream HTTP/1.1", "Host: x", "Content-Length: 100000000");
        Add("body on GET", "GET /state HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
        Add("CL and TE", "POST /stream HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        Add("bad chunk size", "POST /stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
        Add("huge chunk size", "POST /stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nhello\r\n");
        Req("TE gzip only", "POST /stream HTTP/1.1", "Host: x", "Transfer-Encoding: gzip");
        Req("TE junk", "POST /stream HTTP/1.1", "Host: x", "Transfer-Encoding: \x01chunked");
        Req("HTTP/1.0 TE", "POST /stream HTTP/1.0", "Transfer-Encoding: chunked");

        // Authorization headers (no -c on this server: they must all be ignored or refused, never crash).
        Req("Basic without value", "GET /state HTTP/1.1", "Host: x", "Authorization: Basic");
        Req("Basic with spaces", "GET /state HTTP/1.1", "Host: x", "Authorization: Basic    ");
        Req("garbage base64", "GET /state HTTP/1.1", "Host: x", "Authorization: Basic !!!!****");
        Req("base64 without colon", "GET /state HTTP/1.1", "Host: x", "Authorization: Basic dXNlcnB3");
        Req("base64 of binary", "GET /state HTTP/1.1", "Host: x", "Authorization: Basic AAD/AP8A/wA=");
        Req("10 KB base64", "GET /state HTTP/1.1", "Host: x", "Authorization: Basic " + Convert.ToBase64String(new byte[7500]));
        Req("other scheme", "GET /state HTTP/1.1", "Host: x", "Authorization: Bearer " + Good);
        Req("empty Authorization", "GET /state HTTP/1.1", "Host: x", "Authorization:");
        Req("two Authorizations", "GET /state HTTP/1.1", "Host: x", "Authorization: Basic " + Good, "Authorization: Basic eDp5");
        Req("high bytes Authorization", "GET /state HTTP/1.1", "Host: x", "Authorization: Basic \xff\xfe\xfd");

        // Other protocols and pipelining.
        Add("HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        Raw("TLS ClientHello", [0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03, .. new byte[160]]);
        Raw("1 KB of zeros", new byte[1024]);
        Raw("pseudo-random bytes", [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251))]);
        Add("64 KB of A", new string('A', 64 * 1024));
        Add("50 pipelined requests", string.Concat(Enumerable.Repeat("GET /state HTTP/1.1\r\nHost: x\r\n\r\n", 50)));
        Add("request then junk", "GET /state HTTP/1.1\r\nHost: x\r\n\r\n\x01\x02\x03junk\r\n\r\n");
        Add("snapshot then junk", "GET /?action=snapshot HTTP/1.1\r\nHost: x\r\n\r\nGARBAGE / HTTP/1.1\r\n\r\n");
        return list;
    }
}
