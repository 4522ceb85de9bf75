namespace MjpgStreamer.Core.Streaming;

/// <summary>
/// A frame-rate limit (a stream client's ?action=stream&amp;fps=F or -stream_fps F, or a scaled stream's worker): a frame goes out when its slot has
/// come, else it is skipped (the client gets the newest frame at its next slot, never a queue). Slots are
/// 1/F apart and carried (the next slot is the previous slot plus 1/F, not the send time plus 1/F), so late
/// frames do not lower the average: 5 fps from a 30 fps input averages 5.0. A frame up to 1/4 of a slot early
/// counts as on time (frame timing jitters); a client that fell behind by more than a slot (the input
/// stalled) starts afresh rather than catching up in a burst. Time is the caller's TimeProvider timestamp.
/// </summary>
public sealed class FramePacer
{
    private readonly long _interval;
    private readonly long _tolerance;
    private long _nextDue;
    private bool _started;

    public FramePacer(double fps, long timestampFrequency)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fps);
        Fps = fps;
        _interval = Math.Max(1, (long)Math.Round(timestampFrequency / fps));
        _tolerance = _interval / 4;
    }

    /// <summary>The frames per second asked.</summary>
    public double Fps { get; }

    /// <summary>True when a frame arriving at <paramref name="now"/> is to be sent (and takes the slot).</summary>
    public bool TryTakeSlot(long now)
    {
        if (!_started)
        {
            _started = true;
            _nextDue = now + _interval;
            return true;
        }

        if (now < _nextDue - _tolerance)
        {
            return false;
        }

        if (now - _nextDue > _interval)
        {
            _nextDue = now;
        }

        _nextDue += _interval;
        return true;
    }
}
