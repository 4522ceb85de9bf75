using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Diagnostics;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Rtp;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Jpeg;

namespace MjpgStreamer.Rtsp;

/// <summary>
/// The one RTP stream of an RTSP output: while at least one client plays, it takes the input's frames (latest wins),
/// re-codes those whose Huffman tables a receiver would not know (<see cref="JpegRecoder"/>, lossless), re-encodes those
/// whose layout RTP/JPEG cannot describe (<see cref="JpegReencoder"/>, lossy, at the source's estimated quality), cuts each frame into
/// packets once (<see cref="RtpJpegPacketizer"/>) and publishes the packet block on a hub of its own. Every client
/// reads that hub, so a frame costs the same work for one client or fifty: one SSRC and one sequence of numbers
/// for all; a client that joins starts at the next frame (PLAY's RTP-Info says where), and one that cannot keep up
/// gets the newest block next (it skips whole frames, which its receiver sees as lost packets).
/// </summary>
internal sealed partial class RtpJpegStream : IDisposable
{
    private readonly LatestFrameHub _input;
    private readonly FramePool _pool = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _outputId;
    private readonly int _inputId;
    private readonly Lock _stampGate = new();
    private uint _lastTimestamp;
    private bool _sentAny;
    private readonly uint _timestampBase;
    private ushort _nextSequence;
    private JpegRecoder? _recoder;
    private JpegReencoder? _reencoder;
    private bool _warnedReencode;
    private long _framesReencoded;
    private bool _warnedSkip;
    private bool _warnedRecode;
    private long _framesSent;
    private long _framesRecoded;
    private long _framesSkipped;
    private int _width;
    private int _height;

    public RtpJpegStream(LatestFrameHub input, int outputId, int inputId, TimeProvider time, ILogger logger)
    {
        _input = input;
        _outputId = outputId;
        _inputId = inputId;
        _time = time;
        _logger = logger;
        Ssrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
        _timestampBase = (uint)Random.Shared.NextInt64(0, uint.MaxValue);
        _nextSequence = (ushort)Random.Shared.Next(0, 0x8000);
        Packets = new LatestFrameHub(time);
    }

    public uint Ssrc { get; }

    /// <summary>Packet blocks, one per frame; its subscribers are the playing clients.</summary>
    public LatestFrameHub Packets { get; }

    public long FramesSent => Interlocked.Read(ref _framesSent);

    public long FramesRecoded => Interlocked.Read(ref _framesRecoded);

    public long FramesReencoded => Interlocked.Read(ref _framesReencoded);

    public long FramesSkipped => Interlocked.Read(ref _framesSkipped);

    /// <summary>The last frame's size (0 before one was sent).</summary>
    public (int Width, int Height) Size => (Volatile.Read(ref _width), Volatile.Read(ref _height));

    /// <summary>The RTP clock now: 90 kHz wall-clock time from the stream's random base (the clock of the frames' capture times).</summary>
    public uint TimestampNow() => ToRtpTime(NowMicroseconds());

    private long NowMicroseconds() => (_time.GetUtcNow().UtcTicks - DateTime.UnixEpoch.Ticks) / 10;

    private uint ToRtpTime(long unixMicroseconds) => unchecked(_timestampBase + (uint)(unixMicroseconds * 9 / 100));

    /// <summary>A frame's RTP time: from its capture time (steadier than when it reached us), always after the previous frame's.</summary>
    private uint FrameTimestamp(long captureMicroseconds)
    {
        var timestamp = ToRtpTime(captureMicroseconds);
        if (_sentAny && unchecked((int)(timestamp - _lastTimestamp)) <= 0)
        {
            timestamp = unchecked(_lastTimestamp + 1);
        }

        _sentAny = true;
        _lastTimestamp = timestamp;
        return timestamp;
    }

    /// <summary>A client starts playing: its reader, and the sequence number and RTP time its first packet will have (at least).</summary>
    public FrameSubscriber Join(CancellationToken cancellation, out ushort sequence, out uint rtpTime)
    {
        lock (_stampGate)
        {
            sequence = _nextSequence;
            rtpTime = TimestampNow();
            return Packets.Subscribe(cancellation, startWithCurrent: false);
        }
    }

    /// <summary>Runs until <paramref name="cancellation"/>: takes input frames only while someone plays.</summary>
    public async Task RunAsync(CancellationToken cancellation)
    {
        try
        {
            while (!cancellation.IsCancellationRequested)
            {
                await Packets.WaitForDemandAsync(cancellation);
                // Packetizing (and re-coding a frame RTP/JPEG cannot carry as it is) never runs on the camera's thread.
                using var input = _input.Subscribe(cancellation, startWithCurrent: false, mayRunInline: false);
                while (Packets.Demand > 0)
                {
                    var frame = await input.NextAsync();
                    if (frame is null)
                    {
                        continue;
                    }

                    try
                    {
                        Packetize(frame);
                    }
                    finally
                    {
                        frame.Release();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }
        finally
        {
            _recoder?.Dispose();
            _recoder = null;
            _reencoder?.Dispose();
            _reencoder = null;
            Packets.Clear();
        }
    }

    private void Packetize(Frame frame)
    {
        var jpeg = frame.Span;
        var verdict = RtpJpegParser.Parse(jpeg, out var image, out var reason);
        if (verdict == RtpJpegVerdict.NeedsReencode)
        {
            var quality = JpegQuality.Estimate(jpeg.Slice(image.LumaTableOffset, Math.Min(64, jpeg.Length - image.LumaTableOffset)));
            _reencoder ??= new JpegReencoder();
            if (!_reencoder.TryReencode(jpeg, quality, out jpeg, out var error))
            {
                Skip($"re-encoding failed: {error}");
                return;
            }

            if (!_warnedReencode)
            {
                _warnedReencode = true;
                LogReencoding(_logger, _outputId, _inputId, image.Width, image.Height, quality);
            }

            Interlocked.Increment(ref _framesReencoded);
            verdict = RtpJpegParser.Parse(jpeg, out image, out reason);
            if (verdict == RtpJpegVerdict.NeedsReencode)
            {
                verdict = RtpJpegVerdict.Unsupported;
                reason = "re-encoding did not give a layout RTP/JPEG carries";
            }
        }

        if (verdict == RtpJpegVerdict.NeedsRecode)
        {
            _recoder ??= new JpegRecoder();
            if (!_recoder.TryRecode(jpeg, out jpeg, out var error))
            {
                Skip($"re-coding failed: {error}");
                return;
            }

            if (!_warnedRecode)
            {
                _warnedRecode = true;
                LogRecoding(_logger, _outputId, _inputId);
            }

            Interlocked.Increment(ref _framesRecoded);
            verdict = RtpJpegParser.Parse(jpeg, out image, out reason);
            if (verdict == RtpJpegVerdict.NeedsRecode)
            {
                verdict = RtpJpegVerdict.Unsupported;
                reason = "re-coding did not give standard Huffman tables";
            }
        }

        if (verdict != RtpJpegVerdict.Ready)
        {
            Skip(reason ?? "unsupported JPEG");
            return;
        }

        var capture = frame.TimestampUs > 0 ? frame.TimestampUs : NowMicroseconds();
        var block = _pool.Rent(RtpJpegPacketizer.MaxBlockSize(image.ScanLength));
        var span = block.GetWritableSpan(RtpJpegPacketizer.MaxBlockSize(image.ScanLength));
        var length = RtpJpegPacketizer.Write(image, jpeg, FrameTimestamp(capture), Ssrc, span);
        block.SetLength(length);
        block.Width = image.Width;
        block.Height = image.Height;
        block.IsPlaceholder = frame.IsPlaceholder;
        block.TimestampUs = capture; // the wall-clock time of the packets' RTP time, for RTCP sender reports
        Volatile.Write(ref _width, image.Width);
        Volatile.Write(ref _height, image.Height);
        lock (_stampGate)
        {
            _nextSequence += (ushort)RtpJpegPacketizer.StampSequence(span[..length], _nextSequence);
            Packets.Publish(block);
        }

        Interlocked.Increment(ref _framesSent);
    }

    private void Skip(string reason)
    {
        Interlocked.Increment(ref _framesSkipped);
        if (!_warnedSkip)
        {
            _warnedSkip = true;
            LogSkipping(_logger, _outputId, _inputId, reason);
        }
    }

    public void Dispose() => Packets.Clear();

    [LoggerMessage(EventId = LogEvents.RtspFramesSkipped, Level = LogLevel.Warning, Message = "output {OutputId}: frames of input {InputId} cannot be sent over RTP/JPEG and are skipped: {Reason} (said once)")]
    private static partial void LogSkipping(ILogger logger, int outputId, int inputId, string reason);

    [LoggerMessage(EventId = LogEvents.RtspRecoding, Level = LogLevel.Information, Message = "output {OutputId}: frames of input {InputId} carry Huffman tables RTP/JPEG cannot send: re-coding them losslessly to the standard tables while clients play")]
    private static partial void LogRecoding(ILogger logger, int outputId, int inputId);

    [LoggerMessage(EventId = LogEvents.RtspReencoding, Level = LogLevel.Information, Message = "output {OutputId}: frames of input {InputId} ({Width}x{Height}) have a sampling layout RTP/JPEG cannot describe (e.g. ffmpeg's 4:2:2, 4:4:4, grayscale): re-encoding them (lossy) to 4:2:2 or 4:2:0 at quality {Quality} while clients play")]
    private static partial void LogReencoding(ILogger logger, int outputId, int inputId, int width, int height, int quality);
}
