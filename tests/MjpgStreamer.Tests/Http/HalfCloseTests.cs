using System.Net.Sockets;
using System.Text;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Http;

/// <summary>
/// A client that sends its request and then half-closes (shutdown(SHUT_WR), as `nc -N` and some scripts do) still
/// gets its answer, as from the original; Kestrel on its own took the FIN as an abort and dropped the response.
/// </summary>
public sealed class HalfCloseTests
{
    [Fact]
    public async Task A_client_that_half_closes_after_its_request_gets_every_short_answer()
    {
        await using var server = await ServerProcess.StartAsync(
            ["-i", "input_testpattern.so -r 160x120 -f 10", "-o", $"output_http.so -p 0 -l 127.0.0.1 -w {TestMedia.WwwFolder}"]);
        var failures = new List<string>();
        foreach (var (target, contentType) in new[]
        {
            ("/?action=snapshot", "image/jpeg"),
            ("/input.json", "application/x-javascript"),
            ("/program.json", "application/x-javascript"),
            ("/style.css", "text/css"),
        })
        {
            for (var i = 0; i < 10; i++)
            {
                var raw = await HalfClosedGetAsync(server.Port, target);
                var answered = raw.Length > 0 && HttpResponse.Parse(raw) is { Status: 200 } response
                    && response.Header("Content-Type") == contentType && response.Body.Length > 0;
                if (!answered)
                {
                    failures.Add($"{target} #{i}: {raw.Length} bytes");
                }
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public async Task A_stream_client_that_half_closes_is_taken_as_gone()
    {
        await using var server = await ServerProcess.StartAsync(["-i", "input_testpattern.so -r 160x120 -f 10", "-o", "output_http.so -p 0 -l 127.0.0.1"]);
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", server.Port);
        await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes("GET /?action=stream HTTP/1.0\r\n\r\n"));
        await Eventually.UntilAsync(async () => await ProcessProbe.StreamClientsAsync(server.Port) == 1, "the stream client is listed");
        client.Client.Shutdown(SocketShutdown.Send);
        await Eventually.UntilAsync(async () => await ProcessProbe.StreamClientsAsync(server.Port) == 0, "the half-closed stream client is gone");
    }

    private static async Task<byte[]> HalfClosedGetAsync(int port, string target)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", port);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"));
        socket.Shutdown(SocketShutdown.Send);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, n);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException)
        {
        }

        return received.ToArray();
    }
}
