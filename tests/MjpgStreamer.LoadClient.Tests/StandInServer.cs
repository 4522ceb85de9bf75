using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MjpgStreamer.LoadClient.Tests;

/// <summary>
/// A stand-in for mjpg_streamer on 127.0.0.1: streams 20 small fake frames in turn at 50 fps with current
/// X-Timestamps (mjpg-streamer's byte layout) and serves /state with the number of frames published.
/// In burst mode it publishes a fixed number of frames only, starting a little after the second /state request
/// (the load client probes /state once at start, then reads it right before its measured window), so every
/// frame falls inside the window.
/// </summary>
internal sealed class StandInServer : IAsyncDisposable
{
    private static readonly TimeSpan FrameInterval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan BurstDelay = TimeSpan.FromMilliseconds(300);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<Viewer> _viewers = [];
    private readonly List<Socket> _silent = [];
    private readonly byte[][] _frames;
    private readonly Task _acceptLoop;
    private readonly Task _publishLoop;
    private readonly TaskCompletionSource _stateRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int? _burstFrames;
    private long _published;
    private int _stateRequests;

    private StandInServer(int? breakAfterFrames, bool serveState, int? burstFrames, bool silentStreams)
    {
        SilentStreams = silentStreams;
        BreakAfterFrames = breakAfterFrames;
        ServeState = serveState;
        _burstFrames = burstFrames;
        _frames = Enumerable.Range(0, 20).Select(i => StreamBytes.TrickyPayload(400 + (i * 37))).ToArray();
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
        _publishLoop = PublishLoopAsync();
    }

    /// <summary>After this many frames each stream gets half a payload and is closed.</summary>
    public int? BreakAfterFrames { get; }

    public bool ServeState { get; }

    /// <summary>Stream requests are read and then left unanswered (the connection stays open).</summary>
    public bool SilentStreams { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Url => $"http://127.0.0.1:{Port}/";

    public ConcurrentQueue<string> RequestLines { get; } = new();

    public static StandInServer Start(int? breakAfterFrames = null, bool serveState = true, int? burstFrames = null, bool silentStreams = false) =>
        new(breakAfterFrames, serveState, burstFrames, silentStreams);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await Task.WhenAll(_acceptLoop, _publishLoop).WaitAsync(TimeSpan.FromSeconds(5));
        lock (_gate)
        {
            foreach (var viewer in _viewers)
            {
                viewer.Socket.Dispose();
            }

            foreach (var socket in _silent)
            {
                socket.Dispose();
            }
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                _ = ServeAsync(socket);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var keep = false;
        try
        {
            var requestLine = await ReadRequestLineAsync(socket);
            RequestLines.Enqueue(requestLine);
            if (requestLine.StartsWith("GET /state ", StringComparison.Ordinal) && Interlocked.Increment(ref _stateRequests) == 2)
            {
                _stateRequested.TrySetResult();
            }

            if (requestLine.StartsWith("GET /state ", StringComparison.Ordinal) && ServeState)
            {
                var frames = Interlocked.Read(ref _published);
                var json = string.Create(CultureInfo.InvariantCulture,
                    $$$"""{"uptime_s": 1.5, "inputs": [{"id": 0, "plugin": "input_file.so", "state": "streaming", "frames": {{{frames}}}, "fps_captured": 50.0}], "outputs": [], "gc": {"gen0": {{{GC.CollectionCount(0)}}}, "gen1": {{{GC.CollectionCount(1)}}}, "gen2": {{{GC.CollectionCount(2)}}}}}""");
                await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{json}"));
            }
            else if (requestLine.StartsWith("GET /?action=stream ", StringComparison.Ordinal) && SilentStreams)
            {
                lock (_gate)
                {
                    _silent.Add(socket);
                }

                keep = true;
            }
            else if (requestLine.StartsWith("GET /?action=stream ", StringComparison.Ordinal))
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes(StreamBytes.ResponseHead));
                lock (_gate)
                {
                    _viewers.Add(new Viewer(socket));
                }

                keep = true;
            }
            else
            {
                await socket.SendAsync("HTTP/1.0 404 Not Found\r\nContent-Type: text/plain\r\n\r\n404: Not Found!\r\n"u8.ToArray());
            }
        }
        catch (SocketException)
        {
        }
        finally
        {
            if (!keep)
            {
                socket.Dispose();
            }
        }
    }

    private static async Task<string> ReadRequestLineAsync(Socket socket)
    {
        var buffer = new byte[4096];
        var length = 0;
        while (length < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None);
            if (n == 0)
            {
                break;
            }

            length += n;
            if (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0)
            {
                break;
            }
        }

        var text = Encoding.ASCII.GetString(buffer, 0, length);
        var end = text.IndexOf("\r\n", StringComparison.Ordinal);
        return end < 0 ? text : text[..end];
    }

    private async Task PublishLoopAsync()
    {
        try
        {
            if (_burstFrames is not null)
            {
                await _stateRequested.Task.WaitAsync(_stop.Token);
                await Task.Delay(BurstDelay, _stop.Token);
            }

            using var timer = new PeriodicTimer(FrameInterval);
            while (Interlocked.Read(ref _published) < (_burstFrames ?? long.MaxValue) && await timer.WaitForNextTickAsync(_stop.Token))
            {
                var index = Interlocked.Increment(ref _published);
                var payload = _frames[index % _frames.Length];
                var now = DateTimeOffset.UtcNow;
                var micros = (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
                var head = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
                    $"Content-Type: image/jpeg\r\nContent-Length: {payload.Length}\r\nX-Timestamp: {micros / 1_000_000}.{micros % 1_000_000:D6}\r\n\r\n"));
                byte[] part = [.. head, .. payload, .. "\r\n--boundarydonotcross\r\n"u8];
                byte[] broken = [.. head, .. payload.AsSpan(0, payload.Length / 2)];
                Viewer[] viewers;
                lock (_gate)
                {
                    viewers = [.. _viewers];
                }

                foreach (var viewer in viewers)
                {
                    await SendAsync(viewer, part, broken);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SendAsync(Viewer viewer, byte[] part, byte[] broken)
    {
        try
        {
            if (viewer.Sent == BreakAfterFrames)
            {
                await viewer.Socket.SendAsync(broken);
                Drop(viewer);
                return;
            }

            await viewer.Socket.SendAsync(part);
            viewer.Sent++;
        }
        catch (SocketException)
        {
            Drop(viewer);
        }
    }

    private void Drop(Viewer viewer)
    {
        lock (_gate)
        {
            _viewers.Remove(viewer);
        }

        viewer.Socket.Dispose();
    }

    private sealed class Viewer(Socket socket)
    {
        public Socket Socket { get; } = socket;

        public int Sent { get; set; }
    }
}
