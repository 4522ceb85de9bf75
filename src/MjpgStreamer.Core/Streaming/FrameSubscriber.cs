using System.Threading.Tasks.Sources;
using MjpgStreamer.Core.Frames;

namespace MjpgStreamer.Core.Streaming;

/// <summary>
/// One reader of a hub (an HTTP stream client, a snapshot request). Its waiter is reused for every
/// frame, so waiting costs no allocation per frame.
/// </summary>
public sealed class FrameSubscriber : IValueTaskSource<Frame?>, IDisposable
{
    private readonly LatestFrameHub _hub;
    private readonly CancellationTokenRegistration _registration;
    private readonly CancellationToken _cancellation;
    private readonly bool _mayRunInline;
    private ManualResetValueTaskSourceCore<Frame?> _core;
    private long _lastSequence;
    private int _pending;
    private int _disposed;

    internal FrameSubscriber(LatestFrameHub hub, long afterSequence, bool mayRunInline, CancellationToken cancellation)
    {
        _hub = hub;
        _mayRunInline = mayRunInline;
        _lastSequence = afterSequence;
        _cancellation = cancellation;
        _core.RunContinuationsAsynchronously = true;
        _registration = cancellation.Register(static state => ((FrameSubscriber)state!).Cancel(), this);
    }

    /// <summary>
    /// The next frame newer than the last one handed out, with a reference the caller must release.
    /// Throws OperationCanceledException when the subscription's token is cancelled.
    /// </summary>
    public ValueTask<Frame?> NextAsync()
    {
        _cancellation.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (Interlocked.Exchange(ref _pending, 1) != 0)
        {
            throw new InvalidOperationException("NextAsync is already pending.");
        }

        _core.Reset();
        var frame = _hub.TryTakeOrPark(this, _lastSequence);
        if (frame is not null)
        {
            Volatile.Write(ref _pending, 0);
            _lastSequence = frame.Sequence;
            return new ValueTask<Frame?>(frame);
        }

        return new ValueTask<Frame?>(this, _core.Version);
    }

    /// <summary>
    /// Hands <paramref name="frame"/> to the waiting reader. <paramref name="inline"/>: the reader's continuation
    /// runs on this (the publishing) thread before Deliver returns, instead of being queued to the thread pool (unless
    /// the reader subscribed with <c>mayRunInline: false</c>).
    /// </summary>
    internal void Deliver(Frame frame, bool inline)
    {
        if (Interlocked.Exchange(ref _pending, 0) == 1)
        {
            _lastSequence = frame.Sequence;
            _core.RunContinuationsAsynchronously = !(inline && _mayRunInline);
            _core.SetResult(frame);
        }
        else
        {
            frame.Release();
        }
    }

    private void Cancel()
    {
        if (_hub.Unpark(this) && Interlocked.Exchange(ref _pending, 0) == 1)
        {
            _core.RunContinuationsAsynchronously = true;
            _core.SetException(new OperationCanceledException(_cancellation));
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _registration.Dispose();
        Cancel();
        _hub.Unsubscribe();
    }

    Frame? IValueTaskSource<Frame?>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<Frame?>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<Frame?>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);
}
