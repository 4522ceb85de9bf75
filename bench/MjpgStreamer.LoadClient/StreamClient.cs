using System.Net;
using System.Net.Sockets;

namespace MjpgStreamer.LoadClient;

/// <summary>One stream viewer: a raw socket, one reusable receive buffer, a parser, and counters for the measured window.</summary>
internal sealed class StreamClient
{
    /// <summary>Large enough that a typical 640x480 frame arrives in one or two receives.</summary>
    public const int ReceiveBufferSize = 64 * 1024;

    private readonly int _index;
    private readonly EndPoint _endPoint;
    private readonly ReadOnlyMemory<byte> _request;
    private readonly RunPhase _phase;
    private readonly TimeProvider _time;
    private readonly TimeSpan _connectTimeout;

    private readonly bool _http11;
    private readonly Uri? _rtsp;

    /// <summary><paramref name="rtsp"/>: be an RTSP client of that URL (RTP over TCP interleaved) instead of an HTTP one.</summary>
    public StreamClient(int index, EndPoint endPoint, ReadOnlyMemory<byte> request, RunPhase phase, TimeProvider time, TimeSpan connectTimeout, bool http11 = false, Uri? rtsp = null)
    {
        _http11 = http11;
        _rtsp = rtsp;
        _index = index;
        _endPoint = endPoint;
        _request = request;
        _phase = phase;
        _time = time;
        _connectTimeout = connectTimeout;
    }

    /// <summary>Frames whose last byte arrived in the measured window.</summary>
    public long Frames { get; private set; }

    /// <summary>Bytes received in the measured window (headers and boundaries included).</summary>
    public long Bytes { get; private set; }

    public LatencyRecorder Latencies { get; } = new();

    /// <summary>Frames in the window without a usable X-Timestamp (no latency sample).</summary>
    public long FramesWithoutTimestamp { get; private set; }

    public bool Connected { get; private set; }

    /// <summary>The server answered with a stream response head (status 200, multipart).</summary>
    public bool GotResponse { get; private set; }

    /// <summary>Null while the client is healthy; a one-line reason once it failed.</summary>
    public string? Failure { get; private set; }

    /// <summary>Runs until <paramref name="stop"/> is cancelled or the client fails; never throws for network errors.</summary>
    public async Task RunAsync(TimeSpan startDelay, CancellationToken stop)
    {
        try
        {
            if (startDelay > TimeSpan.Zero)
            {
                await Task.Delay(startDelay, _time, stop).ConfigureAwait(false);
            }

            using var socket = new Socket(_endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.NoDelay = true;
            if (!await ConnectAsync(socket, stop).ConfigureAwait(false))
            {
                return;
            }

            if (_rtsp is not null)
            {
                await new RtspReceiver(this, socket, _rtsp).RunAsync(stop).ConfigureAwait(false);
                return;
            }

            await socket.SendAsync(_request, SocketFlags.None, stop).ConfigureAwait(false);
            await ReceiveLoopAsync(socket, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run is over.
        }
        catch (SocketException e)
        {
            if (!_phase.IsDone)
            {
                SetFailure(Connected ? $"stream broke: {e.Message}" : $"connect failed: {e.Message}");
            }
        }
    }

    private async Task<bool> ConnectAsync(Socket socket, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(_connectTimeout);
        try
        {
            await socket.ConnectAsync(_endPoint, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            SetFailure($"connect timed out after {_connectTimeout.TotalSeconds:0.#} s");
            return false;
        }

        Connected = true;
        return true;
    }

    private async Task ReceiveLoopAsync(Socket socket, CancellationToken stop)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(ReceiveBufferSize, pinned: true);
        var parser = new MultipartStreamParser { AllowChunked = _http11 };
        var decoder = _http11 ? new ChunkedDecoder() : null;
        var filled = 0;
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, stop).ConfigureAwait(false);
            if (received == 0)
            {
                if (!_phase.IsDone)
                {
                    SetFailure(parser.HeadComplete ? "stream broke: the server closed the connection" : "the server closed the connection without a response");
                }

                return;
            }

            // One clock read per receive: every frame completed by these bytes arrived now.
            var receivedUs = Timestamp.ToUnixMicroseconds(_time.GetUtcNow());
            var measuring = _phase.IsMeasuring;
            if (measuring)
            {
                Bytes += received;
            }

            if (decoder is not null)
            {
                received = decoder.Decode(buffer.AsSpan(filled, received));
            }

            var data = buffer.AsSpan(0, filled + received);
            var offset = 0;
            while (true)
            {
                var status = parser.Parse(data[offset..], out var used);
                offset += used;
                if (status == ParseStatus.FrameComplete)
                {
                    if (measuring)
                    {
                        CountFrame(receivedUs, parser.FrameTimestampUs);
                    }

                    continue;
                }

                if (status == ParseStatus.Error)
                {
                    SetFailure(parser.Error ?? "bad stream");
                    return;
                }

                break;
            }

            GotResponse = GotResponse || parser.HeadComplete;

            // Only a partial header line can be left over (payload bytes are always consumed); keep it for the next receive.
            filled = data.Length - offset;
            if (filled > 0)
            {
                data[offset..].CopyTo(buffer);
            }
        }
    }

    internal RunPhase Phase => _phase;

    internal TimeProvider Time => _time;

    internal void AddBytes(long bytes) => Bytes += bytes;

    internal void MarkAnswered() => GotResponse = true;

    internal void Fail(string reason) => SetFailure(reason);

    internal void CountFrame(long receivedUs, long frameTimestampUs)
    {
        Frames++;
        if (Timestamp.LatencyMicroseconds(receivedUs, frameTimestampUs) is { } latency)
        {
            Latencies.Add(latency);
        }
        else
        {
            FramesWithoutTimestamp++;
        }
    }

    /// <summary>Called once the run is over: a connection the server never answered is a failure too.</summary>
    public void FailIfUnanswered()
    {
        if (Connected && !GotResponse)
        {
            SetFailure("stream broke: no response from the server before the run ended");
        }
    }

    private void SetFailure(string reason) => Failure ??= $"client {_index}: {reason}";
}
