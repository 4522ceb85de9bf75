using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using System.Buffers.Binary;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Jpeg;
using MjpgStreamer.Plugins;
using MjpgStreamer.Rtsp;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.InProcess;

/// <summary>
/// output_rtsp.so in process on a fake clock: the session timeout (60 s without a request or RTCP closes the connection
/// and its session), and a TCP client that does not read skipping whole frames.
/// </summary>
public sealed class RtspInProcessTests
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

    private static async Task<Server> StartAsync(string? credentials = null)
    {
        var time = new WatchedClock();
        var stopping = new CancellationTokenSource();
        var streamer = new Streamer(time, stopping.Token);
        var input = new CameraStream(0, "input_handfed.so", "", new HandFedSource(), time, NullLogger.Instance);
        streamer.Inputs.Add(input);
        var output = new RtspOutput(new OutputContext(0, RtspOutput.Name, " -p 0 -l 127.0.0.1", streamer, time, NullLoggerFactory.Instance), new RtspOutputOptions(0, "127.0.0.1", 0, credentials, null));
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

    [Fact]
    public async Task A_tcp_client_that_does_not_read_skips_whole_frames()
    {
        await using var server = await StartAsync();
        var pool = new FramePool();
        byte[] jpeg;
        using (var encoder = new JpegEncoder())
        {
            // Noise at quality 95: about 300 KB a frame, so 40 of them overflow any socket buffers.
            var rgb = new byte[640 * 480 * 3];
            new Random(7).NextBytes(rgb);
            var frame = pool.Rent();
            encoder.EncodeRgb(rgb, 640, 480, 95, frame);
            jpeg = frame.Span.ToArray();
            frame.Release();
        }

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 16 * 1024 };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Output.BoundPort));
        var setup = await RequestAsync(socket, "SETUP rtsp://127.0.0.1/track0 RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n");
        Assert.Contains("interleaved=0-1", setup, StringComparison.Ordinal);
        var session = setup.Split("\r\n").First(l => l.StartsWith("Session: ", StringComparison.Ordinal))[9..].Split(';')[0];
        Assert.StartsWith("RTSP/1.0 200 OK", await RequestAsync(socket, $"PLAY rtsp://127.0.0.1/ RTSP/1.0\r\nCSeq: 2\r\nSession: {session}\r\n\r\n"), StringComparison.Ordinal);

        const int published = 40;
        var hub = server.Input.Hub;
        await Eventually.UntilAsync(() => hub.Demand > 0, "the stream reading the input");
        async Task<uint> PublishAsync()
        {
            var sent = server.Output.Stream.FramesSent;
            var frame = pool.Rent(jpeg.Length);
            frame.Write(jpeg);
            hub.Publish(frame);
            await Eventually.UntilAsync(() => server.Output.Stream.FramesSent > sent, "the frame packetised");
            var block = server.Output.Stream.Packets.AcquireCurrent()!;
            var time = BinaryPrimitives.ReadUInt32BigEndian(block.Span[8..]);
            block.Release();
            return time;
        }

        // One frame read as it comes (the client's sender runs), then 40 while the client does not read.
        Assert.Equal(1, await ReadFramesAsync(socket, await PublishAsync()));
        var lastTime = 0u;
        for (var i = 0; i < published; i++)
        {
            lastTime = await PublishAsync();
        }

        var frames = await ReadFramesAsync(socket, lastTime);
        Assert.True(frames < published, $"{frames} of {published} frames received: none skipped");
    }

    /// <summary>Reads interleaved packets until the frame with RTP time <paramref name="until"/> is complete; checks every frame arrives whole.</summary>
    private static async Task<int> ReadFramesAsync(Socket socket, uint until)
    {
        var buffer = new List<byte>();
        var chunk = new byte[64 * 1024];
        var frames = 0;
        var expectedOffset = 0;
        var done = false;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!done)
        {
            var read = await socket.ReceiveAsync(chunk, SocketFlags.None, timeout.Token);
            Assert.NotEqual(0, read);
            buffer.AddRange(chunk.AsSpan(0, read).ToArray());
            var pos = 0;
            while (!done && buffer.Count - pos >= 4)
            {
                Assert.Equal((byte)'$', buffer[pos]);
                var channel = buffer[pos + 1];
                var length = (buffer[pos + 2] << 8) | buffer[pos + 3];
                if (buffer.Count - pos < 4 + length)
                {
                    break;
                }

                var packet = buffer.GetRange(pos + 4, length).ToArray();
                pos += 4 + length;
                if (channel == 1)
                {
                    continue; // RTCP
                }

                var offset = (packet[13] << 16) | (packet[14] << 8) | packet[15];
                Assert.Equal(expectedOffset, offset); // every frame from its first byte on, never a piece of one
                expectedOffset = offset + length - 12 - 8 - (offset == 0 ? 132 : 0);
                if ((packet[1] & 0x80) != 0)
                {
                    frames++;
                    expectedOffset = 0;
                    done = BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(4)) == until;
                }
            }

            buffer.RemoveRange(0, pos);
        }

        Assert.Empty(buffer);
        return frames;
    }

    [Fact]
    public async Task Digest_and_basic_answers_are_checked()
    {
        await using var server = await StartAsync("user:secret");
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Output.BoundPort));
        const string Uri = "rtsp://127.0.0.1/";
        Assert.StartsWith("RTSP/1.0 200 OK", await RequestAsync(socket, "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n"), StringComparison.Ordinal);
        var challenge = await RequestAsync(socket, $"GET_PARAMETER {Uri} RTSP/1.0\r\nCSeq: 2\r\n\r\n");
        Assert.StartsWith("RTSP/1.0 401 Unauthorized", challenge, StringComparison.Ordinal);
        Assert.Contains("WWW-Authenticate: Basic realm=\"MjpgStreamer\"", challenge, StringComparison.Ordinal);
        var nonce = challenge.Split("nonce=\"")[1].Split('"')[0];

#pragma warning disable CA5351 // Digest is MD5 by definition
        static string Md5(string text) => Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351
        string Digest(string password) =>
            $"Digest username=\"user\", realm=\"MjpgStreamer\", nonce=\"{nonce}\", uri=\"{Uri}\", response=\"{Md5($"{Md5($"user:MjpgStreamer:{password}")}:{nonce}:{Md5($"GET_PARAMETER:{Uri}")}")}\"";

        Assert.StartsWith("RTSP/1.0 200 OK", await RequestAsync(socket, $"GET_PARAMETER {Uri} RTSP/1.0\r\nCSeq: 3\r\nAuthorization: {Digest("secret")}\r\n\r\n"), StringComparison.Ordinal);
        Assert.StartsWith("RTSP/1.0 401", await RequestAsync(socket, $"GET_PARAMETER {Uri} RTSP/1.0\r\nCSeq: 4\r\nAuthorization: {Digest("wrong")}\r\n\r\n"), StringComparison.Ordinal);
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("user:secret"));
        Assert.StartsWith("RTSP/1.0 200 OK", await RequestAsync(socket, $"GET_PARAMETER {Uri} RTSP/1.0\r\nCSeq: 5\r\nAuthorization: Basic {basic}\r\n\r\n"), StringComparison.Ordinal);
        var wrongBasic = Convert.ToBase64String(Encoding.UTF8.GetBytes("user:secreT"));
        Assert.StartsWith("RTSP/1.0 401", await RequestAsync(socket, $"GET_PARAMETER {Uri} RTSP/1.0\r\nCSeq: 6\r\nAuthorization: Basic {wrongBasic}\r\n\r\n"), StringComparison.Ordinal);
    }
}
