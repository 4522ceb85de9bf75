using System.Buffers.Binary;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;

namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>
/// An input whose frames the test publishes by hand, and whose stills complete only when the test says so
/// (or never): the in-process HTTP tests decide every frame and every clock tick themselves.
/// </summary>
internal sealed class HandFedSource : IFrameSource, IStillCapture
{
    private readonly Lock _gate = new();
    private SourceContext? _context;
    private TaskCompletionSource _running = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource<CancellationToken> _stillAsked = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource<byte[]> _stillAnswer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string DisplayName => "hand-fed test input";

    /// <summary>Completes once the input runs (holds its "device") and frames can be published.</summary>
    public Task Running
    {
        get
        {
            lock (_gate)
            {
                return _running.Task;
            }
        }
    }

    /// <summary>Completes with the still's cancellation once a still was asked for.</summary>
    public Task<CancellationToken> StillAsked => _stillAsked.Task;

    public async Task RunAsync(SourceContext context, CancellationToken cancellation)
    {
        lock (_gate)
        {
            _context = context;
            _running.TrySetResult();
        }

        try
        {
            // Holding the device until the pause or the stop is what a source does.
            await Task.Delay(Timeout.Infinite, cancellation);
        }
        finally
        {
            lock (_gate)
            {
                _context = null;
                _running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Publishes frame number <paramref name="number"/> of <paramref name="size"/> bytes; returns its bytes.</summary>
    public byte[] Publish(int number, int size = 4096)
    {
        var jpeg = Jpeg(number, size);
        SourceContext context;
        lock (_gate)
        {
            context = _context ?? throw new InvalidOperationException("the input is not running");
        }

        var frame = context.RentFrame(jpeg.Length);
        frame.Write(jpeg);
        frame.Width = 640;
        frame.Height = 480;
        context.Publish(frame);
        return jpeg;
    }

    /// <summary>The bytes of frame <paramref name="number"/>: SOI, the number, filler, EOI (what a client sees is what was published).</summary>
    public static byte[] Jpeg(int number, int size)
    {
        var jpeg = new byte[Math.Max(size, 8)];
        jpeg[0] = 0xFF;
        jpeg[1] = 0xD8;
        BinaryPrimitives.WriteInt32BigEndian(jpeg.AsSpan(2), number);
        jpeg[^2] = 0xFF;
        jpeg[^1] = 0xD9;
        return jpeg;
    }

    /// <summary>The number <see cref="Jpeg"/> wrote into a frame.</summary>
    public static int Number(byte[] jpeg) => BinaryPrimitives.ReadInt32BigEndian(jpeg.AsSpan(2));

    /// <summary>Answers the pending still (the next one, if none is pending yet).</summary>
    public void CompleteStill(byte[] jpeg) => _stillAnswer.TrySetResult(jpeg);

    public async Task<byte[]> CaptureStillAsync(CancellationToken cancellation)
    {
        _stillAsked.TrySetResult(cancellation);
        try
        {
            return await _stillAnswer.Task.WaitAsync(cancellation);
        }
        finally
        {
            _stillAsked = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
            _stillAnswer = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
