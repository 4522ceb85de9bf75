using System.Text;

namespace MjpgStreamer.Soak;

/// <summary>
/// Random requests from a seeded generator: a valid request of each route, mutated one to four times (bytes
/// flipped, inserted, deleted, duplicated, cut; tokens that parsers trip on spliced in), or a random path. No
/// "action=pause" (it would pause the healthy client's stream; the pause scenario covers it).
/// </summary>
public sealed class RequestFuzzer(int seed)
{
    private static readonly string[] Targets =
    [
        "/?action=stream", "/?action=snapshot", "/stream", "/snapshot", "/?action=stream_0", "/stream?input=0",
        "/input.json", "/output.json", "/program.json", "/state", "/index.html", "/", "/stream.html",
        "/?action=command&dest=0&plugin=0&id=9963776&group=1&value=5", "/?action=resume&wait=0",
        "/?action=snapshot&_=123", "/input_0.json",
    ];

    private static readonly string[] Tokens =
    [
        "%00", "%zz", "%", "%2e%2e/", "..", "/", "?", "&", "=", "_99999999999999999999", "_-1", "\r\n", "\n", "\r",
        "\0", " ", "\t", "HTTP/1.1", "action=", "Content-Length: 5\r\n", "Transfer-Encoding: chunked\r\n",
        "Authorization: Basic !!\r\n", "\xff\xfe", "%c0%ae", ":", "\r\n\r\n",
    ];

    private static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "get", "OPTIONS"];

    private readonly Random _random = new(seed);

    public byte[] Next()
    {
        if (_random.Next(10) == 0)
        {
            var path = new StringBuilder("/");
            var length = _random.Next(1, 200);
            for (var i = 0; i < length; i++)
            {
                path.Append((char)_random.Next(0, 256));
            }

            return Encoding.Latin1.GetBytes($"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n");
        }

        var method = Methods[_random.Next(Methods.Length)];
        var target = Targets[_random.Next(Targets.Length)];
        var body = method == "POST" ? "Content-Length: 0\r\n" : "";
        var bytes = new List<byte>(Encoding.Latin1.GetBytes($"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{body}\r\n"));
        var mutations = _random.Next(1, 5);
        for (var m = 0; m < mutations && bytes.Count > 0; m++)
        {
            var at = _random.Next(bytes.Count);
            switch (_random.Next(6))
            {
                case 0:
                    bytes[at] = (byte)_random.Next(256);
                    break;
                case 1:
                    bytes.Insert(at, (byte)_random.Next(256));
                    break;
                case 2:
                    bytes.RemoveRange(at, Math.Min(_random.Next(1, 8), bytes.Count - at));
                    break;
                case 3:
                    var length = Math.Min(_random.Next(1, 32), bytes.Count - at);
                    bytes.InsertRange(at, bytes.GetRange(at, length));
                    break;
                case 4:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                default:
                    bytes.InsertRange(at, Encoding.Latin1.GetBytes(Tokens[_random.Next(Tokens.Length)]));
                    break;
            }
        }

        return [.. bytes];
    }
}
