using MjpgStreamer.Core.Frames;

namespace MjpgStreamer.Core.Streaming;

/// <summary>
/// One input's current frame. The latest frame wins: a publish replaces the current frame and wakes
/// every waiting subscriber; a subscriber that was busy simply gets the newest frame next time, so a
/// slow reader skips frames and never queues them.
/// </summary>
public sealed class LatestFrameHub
{
    /// <summary>
    /// How many waiting readers a publish serves on the publishing thread itself. With 8, two of ten clients still went
    /// through the pool, and that alone took 10 s of the server from 283 to 3156 futex calls (docs/performance.md).
    /// </summary>
    public const int InlineReaders = 16;

    private readonly Lock _gate = new();

    // Serialises publishers (encoder workers publish from several threads) so _wake, which is used
    // outside _gate to deliver without holding it, has one user at a time.
    private readonly Lock _publishGate = new();
    private readonly TimeProvider _time;
    private readonly List<FrameSubscriber> _waiting = [];
    private readonly List<FrameSubscriber> _wake = [];
    private readonly List<TaskCompletionSource> _demandWaiters = [];
    private Frame? _current;
    private Frame? _lastReal;
    private long _sequence;
    private long _realFrames;
    private long _lastPublishTicks;
    private int _subscribers;

    public LatestFrameHub(TimeProvider time)
    {
        _time = time;
    }

    public TimeProvider Time => _time;

    /// <summary>Sequence number of the newest frame, 0 before the first one.</summary>
    public long Sequence => Interlocked.Read(ref _sequence);

    /// <summary>Frames the source captured (placeholders not counted).</summary>
    public long FramesPublished => Interlocked.Read(ref _realFrames);

    /// <summary>Subscribers that want frames: open streams and snapshot requests.</summary>
    public int Demand => Volatile.Read(ref _subscribers);

    /// <summary>When the last frame the source captured was published (TimeProvider timestamp), or null.</summary>
    public long? LastRealFrameTimestamp
    {
        get
        {
            lock (_gate)
            {
                return _lastReal is null ? null : _lastPublishTicks;
            }
        }
    }

    /// <summary>Publishes a frame; the hub takes over the caller's reference.</summary>
    public void Publish(Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        lock (_publishGate)
        {
            PublishLocked(frame);
        }
    }

    private void PublishLocked(Frame frame)
    {
        if (frame.Width == 0 && Mjpeg.JpegInfo.TryReadSize(frame.Span, out var width, out var height))
        {
            frame.Width = width;
            frame.Height = height;
        }

        Frame? old;
        Frame? oldReal = null;
        lock (_gate)
        {
            frame.Sequence = ++_sequence;
            old = _current;
            _current = frame;
            if (!frame.IsPlaceholder)
            {
                _realFrames++;
                _lastPublishTicks = _time.GetTimestamp();
                if (frame.TryAddRef())
                {
                    oldReal = _lastReal;
                    _lastReal = frame;
                }
            }

            _wake.AddRange(_waiting);
            _waiting.Clear();
            foreach (var subscriber in _wake)
            {
                frame.TryAddRef();
            }
        }

        old?.Release();
        oldReal?.Release();

        // The last few waiting readers run on this thread, the rest on the thread pool (queued first, so they start
        // in parallel): a reader's step is "write the part, flush it to the socket", and for one or a few readers
        // doing it here costs less than waking a pool thread for each frame (docs/performance.md).
        var inlineFrom = _wake.Count - Math.Min(_wake.Count, InlineReaders);
        for (var i = 0; i < _wake.Count; i++)
        {
            _wake[i].Deliver(frame, inline: i >= inlineFrom);
        }

        _wake.Clear();
    }

    /// <summary>The current frame with a reference for the caller, or null before the first frame.</summary>
    public Frame? AcquireCurrent()
    {
        lock (_gate)
        {
            return _current is { } frame && frame.TryAddRef() ? frame : null;
        }
    }

    /// <summary>The newest frame the source captured (never a placeholder), with a reference for the caller.</summary>
    public Frame? AcquireLastReal()
    {
        lock (_gate)
        {
            return _lastReal is { } frame && frame.TryAddRef() ? frame : null;
        }
    }

    /// <summary>A reader that receives the frames published after it subscribes (or the current one first, if asked).</summary>
    /// <param name="mayRunInline">
    /// False for a reader that does real work per frame (decode, encode, write a file): it is never run on the
    /// publishing (capture) thread, whose next frame must not wait for it. True (stream clients): one of the last
    /// <see cref="InlineReaders"/> waiting readers may be run there, which costs less than a thread-pool wake.
    /// </param>
    public FrameSubscriber Subscribe(CancellationToken cancellation, bool startWithCurrent = true, bool mayRunInline = true)
    {
        long after;
        lock (_gate)
        {
            after = startWithCurrent ? Math.Max(0, _sequence - 1) : _sequence;
            if (startWithCurrent && _current is null)
            {
                after = 0;
            }
        }

        var subscriber = new FrameSubscriber(this, after, mayRunInline, cancellation);
        if (Interlocked.Increment(ref _subscribers) == 1)
        {
            WakeDemandWaiters();
        }

        return subscriber;
    }

    /// <summary>Completes when at least one subscriber exists (sources that only work while someone watches).</summary>
    public Task WaitForDemandAsync(CancellationToken cancellation)
    {
        lock (_gate)
        {
            if (_subscribers > 0)
            {
                return Task.CompletedTask;
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _demandWaiters.Add(waiter);
            return waiter.Task.WaitAsync(cancellation);
        }
    }

    /// <summary>Returns the current frame if it is newer than <paramref name="after"/>, else parks the subscriber.</summary>
    internal Frame? TryTakeOrPark(FrameSubscriber subscriber, long after)
    {
        lock (_gate)
        {
            if (_current is { } frame && frame.Sequence > after && frame.TryAddRef())
            {
                return frame;
            }

            _waiting.Add(subscriber);
            return null;
        }
    }

    internal bool Unpark(FrameSubscriber subscriber)
    {
        lock (_gate)
        {
            return _waiting.Remove(subscriber);
        }
    }

    internal void Unsubscribe()
    {
        Interlocked.Decrement(ref _subscribers);
    }

    private void WakeDemandWaiters()
    {
        TaskCompletionSource[] waiters;
        lock (_gate)
        {
            if (_demandWaiters.Count == 0)
            {
                return;
            }

            waiters = [.. _demandWaiters];
            _demandWaiters.Clear();
        }

        foreach (var waiter in waiters)
        {
            waiter.TrySetResult();
        }
    }

    /// <summary>Drops the frames the hub holds (shutdown), so every buffer goes back to the pool.</summary>
    public void Clear()
    {
        Frame? current;
        Frame? lastReal;
        lock (_gate)
        {
            current = _current;
            lastReal = _lastReal;
            _current = null;
            _lastReal = null;
        }

        current?.Release();
        lastReal?.Release();
    }
}
