using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Diagnostics;
using MjpgStreamer.Core.Frames;

namespace MjpgStreamer.Core.Streaming;

/// <summary>What a source gets to work with: the pool to rent frames from, the hub to publish into, its state.</summary>
public sealed partial class SourceContext
{
    private readonly Lock _gate = new();
    private InputState _state = InputState.Starting;
    private string? _reason;
    private long _stateSince;
    private bool _lostSignal;
    private long _lastBeat;
    private long _beatWithinTicks;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SourceContext(int inputId, LatestFrameHub hub, FramePool pool, ILogger logger)
    {
        InputId = inputId;
        Hub = hub;
        Pool = pool;
        Logger = logger;
        Captured = new RateMeter(hub.Time);
        _stateSince = hub.Time.GetTimestamp();
        _lastBeat = _stateSince;
        MetricsTag = StreamerMetrics.InputTag(inputId);
    }

    /// <summary>The metrics tag input="N" of this input (cached, so recording allocates nothing).</summary>
    public KeyValuePair<string, object?> MetricsTag { get; }

    public int InputId { get; }

    public LatestFrameHub Hub { get; }

    public FramePool Pool { get; }

    public ILogger Logger { get; }

    public TimeProvider Time => Hub.Time;

    public RateMeter Captured { get; }

    public InputState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>When the state last changed (a <see cref="TimeProvider"/> timestamp of <see cref="Time"/>).</summary>
    public long StateSince
    {
        get
        {
            lock (_gate)
            {
                return _stateSince;
            }
        }
    }

    public string? Reason
    {
        get
        {
            lock (_gate)
            {
                return _reason;
            }
        }
    }

    /// <summary>Wall-clock now in microseconds since the Unix epoch (the X-Timestamp clock).</summary>
    public long NowMicroseconds() => (Time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / 10;

    public Frame RentFrame(int capacity = 0) => Pool.Rent(capacity);

    /// <summary>
    /// The last sign of life of the source's loop (a <see cref="TimeProvider"/> timestamp of <see cref="Time"/>):
    /// <see cref="Beat"/>, <see cref="Publish"/> and every <see cref="SetState"/> call (an unchanged state too, so
    /// each retry of a no-signal loop counts).
    /// </summary>
    public long LastBeat => Volatile.Read(ref _lastBeat);

    /// <summary>
    /// The longest the source's loop goes between two signs of life while it runs (its own bound: a poll timeout,
    /// a retry tick), or null while it waits without bound for an event that may never come (a viewer, a new file)
    /// or does not say. The systemd watchdog takes a loop silent for longer (plus a margin) as hung. Setting it
    /// counts as a sign of life.
    /// </summary>
    public TimeSpan? BeatWithin
    {
        get => Volatile.Read(ref _beatWithinTicks) is var ticks and > 0 ? TimeSpan.FromTicks(ticks) : null;
        set
        {
            // A loop that starts being judged starts from now, not from its last sign of life long ago.
            Beat();
            Volatile.Write(ref _beatWithinTicks, value is { Ticks: > 0 } bound ? bound.Ticks : 0);
        }
    }

    /// <summary>A sign of life of the source's loop (cheap: one timestamp), for a loop that neither publishes nor changes state for a while.</summary>
    public void Beat() => Volatile.Write(ref _lastBeat, Time.GetTimestamp());

    /// <summary>Publishes a captured frame (the hub takes the caller's reference) and marks the input streaming.</summary>
    public void Publish(Frame frame)
    {
        Beat();
        if (frame.TimestampUs == 0)
        {
            frame.TimestampUs = NowMicroseconds();
        }

        if (!frame.IsPlaceholder)
        {
            Captured.Mark();
            StreamerMetrics.FrameCaptured(MetricsTag);
            SetState(InputState.Streaming, null);
        }

        Hub.Publish(frame);
    }

    /// <summary>Changes the state; a transition is logged once, not every retry, and wakes those waiting for it.</summary>
    public void SetState(InputState state, string? reason)
    {
        Beat();
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (_state == state && _reason == reason)
            {
                return;
            }

            if (_state != state)
            {
                _stateSince = Time.GetTimestamp();
            }

            if (state == InputState.NoSignal)
            {
                _lostSignal = true;
            }
            else if (state == InputState.Streaming && _lostSignal)
            {
                _lostSignal = false;
                StreamerMetrics.Reconnected(MetricsTag);
            }

            _state = state;
            _reason = reason;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        LogStateChanged(Logger, InputId, state, reason ?? "");

        changed.TrySetResult();
    }

    /// <summary>Completes once the state is <paramref name="target"/> (at once if it is already): a signal, not a poll.</summary>
    public Task WaitForStateAsync(InputState target, CancellationToken cancellation) =>
        WaitForStateAsync(state => state == target, cancellation);

    /// <summary>Completes with the state once <paramref name="accept"/> holds for it (at once if it does already).</summary>
    public async Task<InputState> WaitForStateAsync(Func<InputState, bool> accept, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(accept);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (accept(_state))
                {
                    return _state;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellation).ConfigureAwait(false);
        }
    }

    private static void LogStateChanged(ILogger logger, int inputId, InputState state, string reason)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            var name = state.ToJsonName();
            LogStateChanged(logger, inputId, name, reason);
        }
    }

    [LoggerMessage(EventId = LogEvents.SourceContextStateChanged, Level = LogLevel.Information, Message = "input {InputId}: {State} {Reason}")]
    private static partial void LogStateChanged(ILogger logger, int inputId, string state, string reason);
}
