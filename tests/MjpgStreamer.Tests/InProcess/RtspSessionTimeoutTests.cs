using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Plugins;
using MjpgStreamer.Rtsp;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.InProcess;

/// <summary>output_rtsp.so's session timeout on a fake clock: 60 s without a request (or RTCP) closes the connection and its session.</summary>
public sealed class RtspSessionTimeoutTests
{
    private sealed record Server(WatchedClock Time, RtspOutput Output, CameraStream Input, CancellationTokenSource Stopping) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Stopping.CancelAsync();
            await Output.DisposeAsync();
            await Input.DisposeAsync();
            Stopping.Dispose();
        }
    }

    private static async Task<Server> StartAsync()
    {
        var time = new WatchedClock();
        var stopping = new CancellationTokenSource();
        var streamer = new Streamer(time, stopping.Token);
        var input = new CameraStream(0, "input_handfed.so", "", new HandFedSource(), time, NullLogger.Instance);
        streamer.Inputs.Add(input);
        var output = new RtspOutput(new OutputContext(0, RtspOutput.Name, " -p 0 -l 127.0.0.1", streamer, time, NullLoggerFactory.Instance), new RtspOutputOptions(0, "127.0.0.1", 0, null, null));
        streamer.Outputs.Add(output);
        input.Start();
        await output.StartAsync(CancellationToken.None);
        return new Server(time, output, input, stopping);
    }

    private static async Task<string> RequestAsync(Socket socket, string request)
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        var buffer = new byte[4096];
        var text = new StringBuilder();
        using var timeout = new CancellationTokenSource(Eventually.DefaultTimeout);
        while (!text.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (read == 0)
            {
                break;
            }

            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return text.ToString();
    }

    private static int Clients(RtspOutput output)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            output.WriteState(writer);
            writer.WriteEndObject();
        }

        return JsonDocument.Parse(stream.ToArray()).RootElement.GetProperty("clients").GetArrayLength();
    }

    [Fact]
    public async Task A_silent_session_is_closed_after_60_s_and_a_request_keeps_it()
    {
        await using var server = await StartAsync();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Output.BoundPort));
        var setup = await RequestAsync(socket, "SETUP rtsp://127.0.0.1/track0 RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP;unicast;client_port=40000-40001\r\n\r\n");
        Assert.StartsWith("RTSP/1.0 200 OK", setup, StringComparison.Ordinal);
        Assert.Contains(";timeout=60", setup, StringComparison.Ordinal);
        Assert.Contains("server_port=", setup, StringComparison.Ordinal);
        var session = setup.Split("\r\n").First(l => l.StartsWith("Session: ", StringComparison.Ordinal))[9..].Split(';')[0];
        Assert.Equal(1, Clients(server.Output));

        // 50 s, a keep-alive, 50 s more: still there.
        server.Time.Advance(TimeSpan.FromSeconds(50));
        Assert.StartsWith("RTSP/1.0 200 OK", await RequestAsync(socket, $"GET_PARAMETER rtsp://127.0.0.1/ RTSP/1.0\r\nCSeq: 2\r\nSession: {session}\r\n\r\n"), StringComparison.Ordinal);
        server.Time.Advance(TimeSpan.FromSeconds(50));
        Assert.StartsWith("RTSP/1.0 200 OK", await RequestAsync(socket, "OPTIONS * RTSP/1.0\r\nCSeq: 3\r\n\r\n"), StringComparison.Ordinal);
        Assert.Equal(1, Clients(server.Output));

        // Then silence: the sweep after 60 s closes the connection, the session and its UDP sockets.
        server.Time.Advance(TimeSpan.FromSeconds(66));
        using var timeout = new CancellationTokenSource(Eventually.DefaultTimeout);
        var read = await socket.ReceiveAsync(new byte[64], SocketFlags.None, timeout.Token);
        Assert.Equal(0, read);
        await Eventually.UntilAsync(() => Clients(server.Output) == 0, "the session gone");
    }
}
