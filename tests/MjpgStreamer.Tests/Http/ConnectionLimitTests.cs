using System.Net.Sockets;
using System.Text;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Http;

/// <summary>
/// -max_clients (stream clients: the next one gets 503 with Retry-After), -max_connections (Kestrel closes the
/// connections beyond it), and the open-file limit: the cap is lowered to fit under it, so accept(2) never fails with
/// EMFILE (Kestrel's listener retries such a failure at once, and spun a core until a descriptor came free).
/// </summary>
public sealed class ConnectionLimitTests
{
    /// <summary>The most CPU one server thread may use while idle connections are held: a fifth of a core.</summary>
    private const double MaxThreadShareOfCore = 0.20;

    [Fact]
    public async Task The_stream_client_after_max_clients_gets_503_with_retry_after_and_snapshots_are_not_counted()
    {
        await using var server = await ServerProcess.StartAsync(["-i", "input_testpattern.so -r 160x120 -f 10", "-o", "output_http.so -p 0 -l 127.0.0.1 -max_clients 3"]);
        var streams = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                streams.Add(await OpenStreamAsync(server.Port));
            }

            await Eventually.UntilAsync(async () => await ProcessProbe.StreamClientsAsync(server.Port) == 3, "3 stream clients are listed");
            var refused = await RawHttp.GetResponseAsync(server.Port, "/?action=stream");
            Assert.Equal(503, refused.Status);
            Assert.Equal("5", refused.Header("Retry-After"));
            Assert.Contains("-max_clients 3", refused.BodyText, StringComparison.Ordinal);

            Assert.Equal(200, (await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot")).Status);
            Assert.Equal(200, (await RawHttp.GetResponseAsync(server.Port, "/state")).Status);

            streams[0].Dispose();
            streams.RemoveAt(0);
            await Eventually.UntilAsync(async () => await ProcessProbe.StreamClientsAsync(server.Port) == 2, "the stream client that left is gone");
            streams.Add(await OpenStreamAsync(server.Port));
            await Eventually.UntilAsync(async () => await ProcessProbe.StreamClientsAsync(server.Port) == 3, "a new stream client is taken again");
            Assert.Contains("refused with 503", server.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            streams.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task Connections_beyond_max_connections_are_closed_and_served_again_once_some_leave()
    {
        await using var server = await ServerProcess.StartAsync(["-i", "input_testpattern.so -r 160x120 -f 10", "-o", "output_http.so -p 0 -l 127.0.0.1 -max_connections 10"]);
        var streams = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 9; i++)
            {
                streams.Add(await OpenStreamAsync(server.Port));
            }

            await Eventually.UntilAsync(async () => await ProcessProbe.StreamClientsAsync(server.Port) == 9, "9 stream clients are listed");
            streams.Add(await OpenStreamAsync(server.Port));

            // The 11th connection: accepted by the kernel, then closed by the server without an answer.
            var beyond = await RawHttp.SendAsync(server.Port, Encoding.ASCII.GetBytes("GET /?action=snapshot HTTP/1.0\r\n\r\n"));
            Assert.Empty(beyond);

            streams.ForEach(s => s.Dispose());
            streams.Clear();
            await Eventually.UntilAsync(
                async () => (await RawHttp.SendAsync(server.Port, Encoding.ASCII.GetBytes("GET /?action=snapshot HTTP/1.0\r\n\r\n"))).Length > 0,
                "a snapshot is answered again");
        }
        finally
        {
            streams.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task At_a_low_open_file_limit_the_cap_is_lowered_and_a_crowd_spins_no_thread()
    {
        // Started under a soft and hard limit of 512: 64 descriptors are kept, so at most 448 connections.
        await using var server = await ServerProcess.StartAsync(
            ["-i", "input_testpattern.so -r 160x120 -f 5", "-o", "output_http.so -p 0 -l 127.0.0.1"],
            launcher: ["prlimit", "--nofile=512:512", "--"]);
        Assert.Contains("-max_connections 2000 lowered to 448", server.Stderr, StringComparison.Ordinal);

        await AssertCrowdSpinsNoThreadAsync(server, connections: 700);
    }

    /// <summary>
    /// Opens <paramref name="connections"/> idle connections at once, then checks that no server thread used more than
    /// a fifth of a core over the next 2 s, and that a snapshot is answered once they are closed.
    /// </summary>
    private static async Task AssertCrowdSpinsNoThreadAsync(ServerProcess server, int connections)
    {
        var crowd = new List<Socket>();
        try
        {
            for (var i = 0; i < connections; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                crowd.Add(socket);
                await socket.ConnectAsync("127.0.0.1", server.Port);
            }

            // Let the server take (or refuse) what the backlog holds before the window starts.
            var settled = 0;
            var last = -1;
            await Eventually.UntilAsync(
                () =>
                {
                    var now = ProcessProbe.CountDescriptors(server.Pid, "socket:");
                    settled = now == last ? settled + 1 : 0;
                    last = now;
                    return settled >= 50;
                },
                "the server's socket count settles");

            var before = ProcessProbe.ThreadTicks(server.Pid);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(2)); // the measured window, not a wait for a condition
            var after = ProcessProbe.ThreadTicks(server.Pid);
            var seconds = watch.Elapsed.TotalSeconds;
            var busiest = after.Select(t => (t.Value.Name, Ticks: t.Value.Ticks - (before.TryGetValue(t.Key, out var b) ? b.Ticks : 0)))
                .OrderByDescending(t => t.Ticks).First();
            var share = busiest.Ticks / 100.0 / seconds; // clock ticks are 1/100 s
            Assert.True(share <= MaxThreadShareOfCore, $"thread '{busiest.Name}' used {share:P0} of a core while {connections} connections were held\n{server.Stderr}");
        }
        finally
        {
            crowd.ForEach(s => s.Dispose());
        }

        await Eventually.UntilAsync(
            async () => (await RawHttp.SendAsync(server.Port, Encoding.ASCII.GetBytes("GET /?action=snapshot HTTP/1.0\r\n\r\n"))) is { Length: > 0 } raw
                && HttpResponse.Parse(raw).Status == 200,
            "a snapshot is answered after the crowd left");
    }

    private static async Task<TcpClient> OpenStreamAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes("GET /?action=stream HTTP/1.0\r\n\r\n"));
        return client;
    }
}
