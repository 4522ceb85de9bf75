using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MjpgStreamer.LoadClient;

/// <summary>A bounded HTTP/1.0 GET over a raw socket, for the small JSON endpoints (not on the hot path).</summary>
internal static class HttpGet
{
    private const int MaxResponseBytes = 1 << 20;

    /// <summary>Returns the body of a 200 response; throws <see cref="IOException"/> with a one-line reason otherwise.</summary>
    public static async Task<byte[]> GetAsync(EndPoint endPoint, string hostHeader, string pathAndQuery, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        var response = new MemoryStream();
        try
        {
            await socket.ConnectAsync(endPoint, cts.Token).ConfigureAwait(false);
            var request = Encoding.ASCII.GetBytes($"GET {pathAndQuery} HTTP/1.0\r\nHost: {hostHeader}\r\n\r\n");
            await socket.SendAsync(request, SocketFlags.None, cts.Token).ConfigureAwait(false);
            var buffer = new byte[16 * 1024];
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                if (response.Length + n > MaxResponseBytes)
                {
                    throw new IOException($"GET {pathAndQuery}: response larger than {MaxResponseBytes} bytes");
                }

                response.Write(buffer, 0, n);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException($"GET {pathAndQuery}: no complete response within {timeout.TotalSeconds:0.#} s");
        }
        catch (SocketException e)
        {
            throw new IOException($"GET {pathAndQuery}: {e.Message}", e);
        }

        return ExtractBody(response.GetBuffer().AsSpan(0, (int)response.Length), pathAndQuery);
    }

    /// <summary>Splits a complete response (read to connection close) into head and body and checks the status.</summary>
    public static byte[] ExtractBody(ReadOnlySpan<byte> response, string what)
    {
        var headEnd = response.IndexOf("\r\n\r\n"u8);
        if (headEnd < 0 || response.Length < 12 || !response.StartsWith("HTTP/1."u8))
        {
            throw new IOException($"GET {what}: not an HTTP response");
        }

        var head = response[..headEnd];
        if (!Utf8Parser.TryParse(head.Slice(9, 3), out int status, out _) || status != 200)
        {
            var statusLineEnd = head.IndexOf("\r\n"u8);
            var statusLine = Encoding.ASCII.GetString(statusLineEnd < 0 ? head : head[..statusLineEnd]);
            throw new IOException($"GET {what}: {statusLine}");
        }

        foreach (var range in head.Split("\r\n"u8))
        {
            var line = head[range];
            if (line.Length > 18 && Ascii.EqualsIgnoreCase(line[..18], "Transfer-Encoding:"u8))
            {
                throw new IOException($"GET {what}: transfer-encoded response to an HTTP/1.0 request");
            }
        }

        var body = response[(headEnd + 4)..];
        return body.ToArray();
    }
}
