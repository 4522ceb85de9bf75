using System.Net.Sockets;
using System.Text;

namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>Literal bytes over a socket, as the transcripts were captured: nothing rewritten by an HTTP client.</summary>
public static class RawHttp
{
    public static async Task<byte[]> SendAsync(int port, byte[] request, TimeSpan? timeout = null, int maxBytes = int.MaxValue)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        await stream.WriteAsync(request);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            while (received.Length < maxBytes)
            {
                var n = await stream.ReadAsync(buffer, cts.Token);
                if (n == 0)
                {
                    break;
                }

                received.Write(buffer, 0, n);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
        }

        return received.ToArray();
    }

    public static Task<byte[]> GetAsync(int port, string target, string version = "HTTP/1.0", string extraHeaders = "") =>
        SendAsync(port, Encoding.ASCII.GetBytes($"GET {target} {version}\r\nHost: 127.0.0.1\r\n{extraHeaders}\r\n"));

    public static async Task<HttpResponse> GetResponseAsync(int port, string target, string version = "HTTP/1.0", string extraHeaders = "") =>
        HttpResponse.Parse(await GetAsync(port, target, version, extraHeaders));
}
