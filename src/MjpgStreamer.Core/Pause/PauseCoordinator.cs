using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Core.Diagnostics;

namespace MjpgStreamer.Core.Pause;

/// <summary>
/// Decides whether the inputs are paused: while the lock file exists, or while an HTTP pause is in force.
/// The file is level-triggered: a <see cref="LockFileWatch"/> (inotify in the executable, a poll once a second
/// otherwise) only says when to look, and each look decides from whether the file exists now, so a merged or
/// lost event cannot leave the wrong state behind. Nothing runs while nothing changes. The two are
/// independent: an HTTP resume does not lift a file pause, and an HTTP pause creates no file. A pause that
/// lasts longer than the warning time is logged once (a one-shot timer armed only while paused), so a lock
/// file a crashed script left behind is visible.
/// </summary>
public sealed partial class PauseCoordinator : IDisposable
{
    private static readonly TimeSpan MaxTimerStep = TimeSpan.FromDays(30);

    private readonly IReadOnlyList<CameraStream> _inputs;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private IDisposable? _watch;
    private ITimer? _warnTimer;
    private bool _disposed;
    private bool _file;
    private bool _http;
    private bool _paused;
    private string? _reason;
    private DateTimeOffset? _since;
    private bool _warned;

    public PauseCoordinator(IReadOnlyList<CameraStream> inputs, string? lockFile, TimeSpan warnAfter, TimeProvider time, ILogger logger)
    {
        _inputs = inputs;
        LockFile = lockFile;
        WarnAfter = warnAfter;
        _time = time;
        _logger = logger;
    }

    /// <summary>The lock file watched, or null when disabled (--pause-file none).</summary>
    public string? LockFile { get; }

    public TimeSpan WarnAfter { get; }

    /// <summary>How the lock file is watched; null: <see cref="LockFilePoller"/> on the clock given.</summary>
    public LockFileWatch? Watch { get; init; }

    /// <summary>A snapshot of the pause for /state.</summary>
    public PauseStatus Status
    {
        get
        {
            lock (_gate)
            {
                string? warning = null;
                if (_since is { } since && _time.GetUtcNow() - since > WarnAfter)
                {
                    warning = LongPauseMessage(_time.GetUtcNow() - since);
                }

                return new PauseStatus(LockFile, _file, _http, _since, warning);
            }
        }
    }

    /// <summary>
    /// Starts watching the lock file and looks at it at once, so a file present at start pauses before the first
    /// frame. Without a lock file (--pause-file none) nothing is started at all.
    /// </summary>
    public void Start()
    {
        if (LockFile is null)
        {
            return;
        }

        LogWatching(_logger, LockFile);
        // The watch first, then the look: a change between the two is seen by one or the other.
        var watch = (Watch ?? LockFilePoller.For(_time))(LockFile, LookAtLockFile);
        lock (_gate)
        {
            if (_disposed)
            {
                watch.Dispose();
                return;
            }

            _watch = watch;
        }

        LookAtLockFile();
    }

    /// <summary>The HTTP pause (?action=pause / resume).</summary>
    public void SetHttpPaused(bool paused)
    {
        lock (_gate)
        {
            _http = paused;
            ApplyLocked();
        }
    }

    /// <summary>Looks at the lock file now (the <see cref="Watch"/> calls this whenever the file may have changed).</summary>
    public void LookAtLockFile()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            // The stat is made under the lock: two looks racing (the watch's thread and Start) cannot apply
            // their answers in the wrong order and leave a stale one behind.
            _file = LockFile is not null && File.Exists(LockFile);
            ApplyLocked();
        }
    }

    private void WarnIfLong()
    {
        lock (_gate)
        {
            if (_disposed || _warned || _since is not { } since)
            {
                return;
            }

            var duration = _time.GetUtcNow() - since;
            if (duration > WarnAfter)
            {
                _warned = true;
                LogLongPause(_logger, LongPauseMessage(duration));
            }
            else
            {
                ArmWarningLocked(WarnAfter - duration);
            }
        }
    }

    /// <summary>
    /// The long-pause warning fires just after <paramref name="due"/> (the warning is for "longer than"); a due
    /// time beyond what a timer takes (about 49 days) is reached in steps.
    /// </summary>
    private void ArmWarningLocked(TimeSpan due)
    {
        _warnTimer ??= _time.CreateTimer(static state => ((PauseCoordinator)state!).WarnIfLong(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        var step = due + TimeSpan.FromMilliseconds(1);
        _warnTimer.Change(step < MaxTimerStep ? step : MaxTimerStep, Timeout.InfiniteTimeSpan);
    }

    private string LongPauseMessage(TimeSpan duration) =>
        $"paused for {(int)duration.TotalSeconds} s (longer than --pause-warn {(int)WarnAfter.TotalSeconds}){(_file ? $"; is {LockFile} left behind by a script that failed?" : "")}";

    private void ApplyLocked()
    {
        var paused = _file || _http;
        var reason = (_file, _http) switch
        {
            (true, true) => "lock file and HTTP",
            (true, false) => "lock file " + LockFile,
            _ => "HTTP pause",
        };

        if (paused == _paused && reason == _reason)
        {
            // The look at the file found nothing new.
            return;
        }

        if (paused != _paused)
        {
            _paused = paused;
            _since = paused ? _time.GetUtcNow() : null;
            _warned = false;
            if (paused)
            {
                ArmWarningLocked(WarnAfter);
            }
            else
            {
                _warnTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }

            LogPauseChanged(_logger, paused ? "pausing" : "resuming", paused ? reason : (_file ? "" : "the lock file is gone"));
        }

        _reason = reason;
        foreach (var input in _inputs)
        {
            input.SetPaused(paused, reason);
        }
    }

    public void Dispose()
    {
        IDisposable? watch;
        lock (_gate)
        {
            _disposed = true;
            watch = _watch;
            _watch = null;
            _warnTimer?.Dispose();
        }

        // Outside the lock: an inotify watch waits for its thread, which may be waiting for the lock in a look.
        watch?.Dispose();
    }

    [LoggerMessage(EventId = LogEvents.PauseCoordinatorWatching, Level = LogLevel.Information, Message = "pause: watching the lock file {Path}")]
    private static partial void LogWatching(ILogger logger, string path);

    [LoggerMessage(EventId = LogEvents.PauseCoordinatorPauseChanged, Level = LogLevel.Information, Message = "pause: {Action} ({Reason})")]
    private static partial void LogPauseChanged(ILogger logger, string action, string reason);

    [LoggerMessage(EventId = LogEvents.PauseCoordinatorLongPause, Level = LogLevel.Warning, Message = "pause: {Message}")]
    private static partial void LogLongPause(ILogger logger, string message);
}
