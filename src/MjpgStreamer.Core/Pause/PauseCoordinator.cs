using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Core.Diagnostics;

namespace MjpgStreamer.Core.Pause;

/// <summary>
/// Decides whether the inputs are paused: while the lock file exists (level-triggered: checked with a
/// stat every 10 ms, so a creation or removal can never be missed, however short), or while an HTTP
/// pause is in force. The two are independent: an HTTP resume does not lift a file pause, and an HTTP
/// pause creates no file. A pause that lasts longer than the warning time is logged once, so a lock
/// file a crashed script left behind is visible.
/// </summary>
public sealed partial class PauseCoordinator : IDisposable
{
    /// <summary>How often the lock file is looked at.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    private readonly IReadOnlyList<CameraStream> _inputs;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private ITimer? _timer;
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

    /// <summary>Starts watching the lock file (checks it once at once, so a file present at start pauses before the first frame).</summary>
    public void Start()
    {
        if (LockFile is not null)
        {
            LogWatching(_logger, LockFile);
        }

        Poll();
        _timer = _time.CreateTimer(static state => ((PauseCoordinator)state!).Poll(), this, PollInterval, PollInterval);
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

    /// <summary>Looks at the lock file now (the timer does this every <see cref="PollInterval"/>).</summary>
    public void Poll()
    {
        var exists = LockFile is not null && File.Exists(LockFile);
        lock (_gate)
        {
            _file = exists;
            ApplyLocked();
            if (_since is { } since && !_warned && _time.GetUtcNow() - since > WarnAfter)
            {
                _warned = true;
                LogLongPause(_logger, LongPauseMessage(_time.GetUtcNow() - since));
            }
        }
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
            // The 10 ms look at the file found nothing new.
            return;
        }

        if (paused != _paused)
        {
            _paused = paused;
            _since = paused ? _time.GetUtcNow() : null;
            _warned = false;
            LogPauseChanged(_logger, paused ? "pausing" : "resuming", paused ? reason : (_file ? "" : "the lock file is gone"));
        }

        _reason = reason;
        foreach (var input in _inputs)
        {
            input.SetPaused(paused, reason);
        }
    }

    public void Dispose() => _timer?.Dispose();

    [LoggerMessage(EventId = LogEvents.PauseCoordinatorWatching, Level = LogLevel.Information, Message = "pause: watching the lock file {Path}")]
    private static partial void LogWatching(ILogger logger, string path);

    [LoggerMessage(EventId = LogEvents.PauseCoordinatorPauseChanged, Level = LogLevel.Information, Message = "pause: {Action} ({Reason})")]
    private static partial void LogPauseChanged(ILogger logger, string action, string reason);

    [LoggerMessage(EventId = LogEvents.PauseCoordinatorLongPause, Level = LogLevel.Warning, Message = "pause: {Message}")]
    private static partial void LogLongPause(ILogger logger, string message);
}
