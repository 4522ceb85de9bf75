using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>One connected ?action=stream client that reads parts as they come (bounded waits).</summary>
public sealed class MjpegClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly BufferedStream _stream;

    private MjpegClient(TcpClient tcp, Stream transport)
    {
        _tcp = tcp;
        _stream = new BufferedStream(transport, 65536);
    }

    public string ResponseHead { get; private set; } = "";

    public static Task<MjpegClient> ConnectAsync(int port, string target = "/?action=stream") => ConnectAsync(port, target, null);

    /// <summary>
    /// With <paramref name="trusted"/>: over TLS, accepting exactly that (self-signed) server certificate.
    /// <paramref name="extraHeaders"/> are whole header lines, each ending in CRLF.
    /// </summary>
    public static async Task<MjpegClient> ConnectAsync(int port, string target, X509Certificate2? trusted, string extraHeaders = "")
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        Stream transport = tcp.GetStream();
        if (trusted is not null)
        {
            var tls = new SslStream(transport, leaveInnerStreamOpen: false, (_, certificate, _, _) => certificate is not null && trusted.RawData.AsSpan().SequenceEqual(certificate.GetRawCertData()));
            using var handshake = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "127.0.0.1" }, handshake.Token);
            transport = tls;
        }

        var client = new MjpegClient(tcp, transport);
        await client._stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.0\r\n{extraHeaders}\r\n"));
        await client._stream.FlushAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        client.ResponseHead = await client.ReadHeadAsync(cts.Token);
        Assert.Contains(" 200 OK\r\n", client.ResponseHead, StringComparison.Ordinal);
        return client;
    }

    /// <summary>The next part's headers and JPEG, within <paramref name="timeout"/> (default 10 s).</summary>
    public async Task<Multipart.Part> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        string head;
        do
        {
            head = await ReadHeadAsync(cts.Token);
        }
        while (!head.Contains("Content-Length", StringComparison.OrdinalIgnoreCase));

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in head.Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        var length = int.Parse(headers["Content-Length"], CultureInfo.InvariantCulture);
        var jpeg = new byte[length];
        await _stream.ReadExactlyAsync(jpeg, cts.Token);
        return new Multipart.Part(headers, jpeg);
    }

    /// <summary>Reads parts until one matches, within <paramref name="timeout"/>.</summary>
    public async Task<Multipart.Part> NextMatchingAsync(Func<Multipart.Part, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            Assert.True(left > TimeSpan.Zero, "no matching frame in time");
            var part = await NextAsync(left);
            if (match(part))
            {
                return part;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }

    // Reads up to and including an empty line; returns the text before it (boundary lines included).
    private async Task<string> ReadHeadAsync(CancellationToken cancellation)
    {
        var text = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            var read = await _stream.ReadAsync(one, cancellation);
            if (read == 0)
            {
                throw new EndOfStreamException("the server closed the stream");
            }

            text.Append((char)one[0]);
            if (text.Length >= 4 && text[^1] == '\n' && text[^2] == '\r' && text[^3] == '\n' && text[^4] == '\r')
            {
                return text.ToString(0, text.Length - 4);
            }

            if (text.Length == 2 && text[0] == '\r' && text[1] == '\n')
            {
                text.Clear();
            }
        }
    }
}
