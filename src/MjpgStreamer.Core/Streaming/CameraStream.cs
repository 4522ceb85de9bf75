using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Diagnostics;

namespace MjpgStreamer.Core.Streaming;

/// <summary>
/// One input: its source, the hub its frames go to, and the task that supervises the source. Outputs
/// subscribe to the hub, never to the source, so the source can stop and start under them: a pause
/// stops the source (which releases its device before its run ends) and keeps the hub alive with a
/// frame about once a second; a resume runs the same source again, with everything it remembers.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "A camera's stream of frames, not a System.IO.Stream: the domain's name.")]
public sealed partial class CameraStream : IAsyncDisposable
{
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(1);
    private static readonly (int Width, int Height) DefaultPictureSize = (640, 480);

    /// <summary>
    /// How long, after a still, the input may take to stream again (rpicam-vid starting, a camera reopened)
    /// before the gap to the next still is counted from the still's end: a camera that does not come back
    /// must not hold the stills.
    /// </summary>
    private static readonly TimeSpan StillResumeWait = TimeSpan.FromSeconds(2);

    /// <summary>Stills an input holds at once: one being taken and one waiting; more are refused (429).</summary>
    private const int MaxStillsAtOnce = 2;

    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _stillGate = new(1, 1);
    private TaskCompletionSource _change = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _externalPause;
    private string _externalReason = "";
    private bool _stillPause;
    private bool _pauseRequested;
    private string _pauseReason = "";
    private DateTimeOffset? _pausedSince;
    private int _stillsAtOnce;
    private long? _lastStillEnded;
    private TimeSpan _lastStillTook = TimeSpan.FromSeconds(1);
    private Task _run = Task.CompletedTask;
    private long _lettingGoSince;

    public CameraStream(int id, string plugin, string args, IFrameSource source, TimeProvider time, ILogger logger)
    {
        Id = id;
        Plugin = plugin;
        Args = args;
        Source = source;
        Hub = new LatestFrameHub(time);
        Context = new SourceContext(id, Hub, new FramePool(), logger);
    }

    public int Id { get; }

    /// <summary>The plugin name exactly as given on the command line.</summary>
    public string Plugin { get; }

    /// <summary>The argument string, with its leading space, as program.json shows it (secrets masked by the host: <see cref="Options.SecretMask"/>).</summary>
    public string Args { get; }

    public IFrameSource Source { get; }

    public LatestFrameHub Hub { get; }

    public SourceContext Context { get; }

    /// <summary>What paused clients get about once a second: the last real frame again, or a "PAUSED" picture.</summary>
    public PauseFrame PauseFrame { get; init; } = PauseFrame.Last;

    /// <summary>Renders the "PAUSED" picture of a size (a seam: Core has no JPEG encoder). Null: last frame only.</summary>
    public Func<int, int, byte[]>? PausedPicture { get; init; }

    /// <summary>When the current pause began (null while not paused).</summary>
    public DateTimeOffset? PausedSince
    {
        get
        {
            lock (_gate)
            {
                return _pausedSince;
            }
        }
    }

    /// <summary>
    /// When the input asked its source to let go (pause, still, stop) and the source's run has not ended yet (a
    /// <see cref="TimeProvider"/> timestamp of the hub's clock), or null: a source must end its run promptly when
    /// cancelled, so one that does not for long is hung (the systemd watchdog's test).
    /// </summary>
    public long? LettingGoSince => Volatile.Read(ref _lettingGoSince) is var since and not 0 ? since : null;

    public void Start()
    {
        _run = Task.Run(SuperviseAsync);
    }

    /// <summary>
    /// Asks the input to pause (release its device; clients stay) or to resume. Returns at once; /state
    /// shows "paused" until the device is released, then "released"; after a resume, "streaming" again
    /// with the first real frame.
    /// </summary>
    public void SetPaused(bool paused, string reason)
    {
        bool newPause;
        lock (_gate)
        {
            newPause = paused && !_externalPause;
            _externalPause = paused;
            _externalReason = reason;
        }

        if (newPause)
        {
            StreamerMetrics.Paused(Context.MetricsTag);
        }

        UpdatePause();
    }

    /// <summary>The pause a still command takes (combined with the lock file's and the HTTP pause).</summary>
    private void SetStillPaused(bool paused)
    {
        lock (_gate)
        {
            _stillPause = paused;
        }

        UpdatePause();
    }

    private void UpdatePause()
    {
        TaskCompletionSource changed;
        bool paused;
        string reason;
        lock (_gate)
        {
            paused = _externalPause || _stillPause;
            reason = _externalPause ? _externalReason : "taking a still";
            if (_pauseRequested == paused)
            {
                _pauseReason = paused ? reason : "";
                return;
            }

            _pauseRequested = paused;
            _pauseReason = paused ? reason : "";
            _pausedSince = paused ? Hub.Time.GetUtcNow() : null;
            changed = _change;
            _change = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        if (paused)
        {
            Context.SetState(InputState.Paused, reason);
        }

        changed.TrySetResult();
    }

    /// <summary>Whether the lock file or an HTTP pause holds the input (a still's own pause not counted).</summary>
    public bool IsPausedExternally
    {
        get
        {
            lock (_gate)
            {
                return _externalPause;
            }
        }
    }

    /// <summary>The command that takes this input's stills (-still_command), run without a shell while the input is released.</summary>
    public IReadOnlyList<string>? StillCommand { get; init; }

    /// <summary>Runs <see cref="StillCommand"/> and returns its JPEG (a seam: process handling lives in Native).</summary>
    public Func<IReadOnlyList<string>, CancellationToken, Task<byte[]>>? RunStillCommand { get; init; }

    /// <summary>The default of -still_interval: a second of live frames between two stills.</summary>
    public static readonly TimeSpan DefaultStillInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Live frames the stream gets between two stills (-still_interval; zero: none): the next still starts no
    /// earlier than this after the first live frame that follows the last still (or after the still's end when
    /// nobody watches, the input does not stream, or it takes longer than a couple of seconds to come back).
    /// </summary>
    public TimeSpan StillInterval { get; init; } = DefaultStillInterval;

    /// <summary>Stills this input holds now: the one being taken (or waiting for its gap) and the one waiting for it.</summary>
    public int StillsAtOnce
    {
        get
        {
            lock (_gate)
            {
                return _stillsAtOnce;
            }
        }
    }

    /// <summary>
    /// A full-resolution still (?action=still), one at a time and at most one waiting (a third is refused with
    /// <see cref="StillBusyException"/>), each at least <see cref="StillInterval"/> of live frames after the last:
    /// a source that takes stills itself does so (the stream's clients get the last frame again meanwhile);
    /// any other input with -still_command is released, the command run, and the input resumed. Throws
    /// <see cref="StillFailedException"/> with the reason.
    /// </summary>
    public async Task<byte[]> TakeStillAsync(CancellationToken cancellation)
    {
        if (StillCommand is not { Count: > 0 } && Source is IStillCapture { StillIsStreamFrame: true })
        {
            // The stream is at the still's size: the next live frame is the still. Nothing is switched, so
            // neither the one-at-a-time rule nor the gap between stills applies.
            return await NextLiveFrameAsStillAsync(cancellation).ConfigureAwait(false);
        }

        lock (_gate)
        {
            if (_stillsAtOnce >= MaxStillsAtOnce)
            {
                throw new StillBusyException("a still is being taken and another one is waiting", StillRetryAfterLocked());
            }

            _stillsAtOnce++;
        }

        try
        {
            await _stillGate.WaitAsync(cancellation).ConfigureAwait(false);
            try
            {
                await WaitForStillIntervalAsync(cancellation).ConfigureAwait(false);
                var ok = false;
                try
                {
                    var still = await TakeOneStillAsync(cancellation).ConfigureAwait(false);
                    ok = true;
                    return still;
                }
                finally
                {
                    StreamerMetrics.StillTaken(Context.MetricsTag, ok);
                }
            }
            finally
            {
                _stillGate.Release();
            }
        }
        finally
        {
            lock (_gate)
            {
                _stillsAtOnce--;
            }
        }
    }

    /// <summary>When a refused still has a chance: once the one in progress is done (its gap and its own time).</summary>
    private TimeSpan StillRetryAfterLocked() => StillInterval + _lastStillTook;

    private async Task<byte[]> TakeOneStillAsync(CancellationToken cancellation)
    {
        if (IsPausedExternally)
        {
            throw new StillFailedException("the input is paused (lock file or HTTP pause)");
        }

        if (StillCommand is { Count: > 0 } command)
        {
            var started = Hub.Time.GetTimestamp();
            try
            {
                return await StillByCommandAsync(command, cancellation).ConfigureAwait(false);
            }
            finally
            {
                StillEnded(started);
            }
        }

        if (Source is not IStillCapture capture)
        {
            throw new StillFailedException("this input takes no stills; give it -still_command \"PROGRAM ARGS\" (a program writing one JPEG to stdout)");
        }

        Context.SetState(InputState.Still, "taking a still");
        using var keepAlive = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var keepAliveTask = KeepAliveDuringStillAsync(keepAlive.Token);
        var start = Hub.Time.GetTimestamp();
        try
        {
            return await capture.CaptureStillAsync(cancellation).ConfigureAwait(false);
        }
        finally
        {
            StillEnded(start);
            await keepAlive.CancelAsync().ConfigureAwait(false);
            await keepAliveTask.ConfigureAwait(false);
        }
    }

    /// <summary>The first real frame published after now, as a still (the source streams at the still's size).</summary>
    private async Task<byte[]> NextLiveFrameAsStillAsync(CancellationToken cancellation)
    {
        if (IsPausedExternally)
        {
            throw new StillFailedException("the input is paused (lock file or HTTP pause)");
        }

        if (Context.State == InputState.NoSignal)
        {
            throw new StillFailedException($"the camera is not streaming: {Context.Reason}");
        }

        using var subscriber = Hub.Subscribe(cancellation, startWithCurrent: false);
        while (true)
        {
            var frame = await subscriber.NextAsync().ConfigureAwait(false)
                ?? throw new StillFailedException("the input stopped");
            try
            {
                if (!frame.IsPlaceholder)
                {
                    return frame.Span.ToArray();
                }
            }
            finally
            {
                frame.Release();
            }

            // A placeholder: the camera went away (or was paused) after the request came.
            if (IsPausedExternally || Context.State == InputState.NoSignal)
            {
                throw new StillFailedException($"the camera is not streaming: {Context.Reason ?? "paused"}");
            }
        }
    }

    /// <summary>A still that took the camera from the stream ended (taken or not): the next one keeps its distance.</summary>
    private void StillEnded(long started)
    {
        var now = Hub.Time.GetTimestamp();
        lock (_gate)
        {
            _lastStillEnded = now;
            _lastStillTook = Hub.Time.GetElapsedTime(started, now);
        }
    }

    /// <summary>
    /// Waits until the stream has had <see cref="StillInterval"/> of live frames since the last still: from the
    /// first live frame after it, so a camera that takes a moment to stream again still gets its second.
    /// </summary>
    private async Task WaitForStillIntervalAsync(CancellationToken cancellation)
    {
        long ended;
        lock (_gate)
        {
            if (_lastStillEnded is not { } last || StillInterval <= TimeSpan.Zero)
            {
                return;
            }

            ended = last;
        }

        var time = Hub.Time;
        var liveSince = ended;
        var resumeLeft = StillResumeWait - time.GetElapsedTime(ended);
        if (Hub.Demand > 0 && resumeLeft > TimeSpan.Zero)
        {
            // Someone watches: count from the first live frame (the input streams again), unless the input
            // reports it will not (no signal, paused) or does not come back in time.
            using var bound = new CancellationTokenSource(resumeLeft, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, bound.Token);
            try
            {
                var state = await Context.WaitForStateAsync(
                    s => s is InputState.Streaming or InputState.NoSignal || IsPausedExternally, linked.Token).ConfigureAwait(false);
                if (state == InputState.Streaming)
                {
                    liveSince = Math.Max(ended, Context.StateSince);
                }
            }
            catch (OperationCanceledException) when (bound.IsCancellationRequested && !cancellation.IsCancellationRequested)
            {
            }
        }

        var left = StillInterval - time.GetElapsedTime(liveSince);
        if (left > TimeSpan.Zero && !IsPausedExternally)
        {
            await Task.Delay(left, time, cancellation).ConfigureAwait(false);
        }
    }

    private async Task<byte[]> StillByCommandAsync(IReadOnlyList<string> command, CancellationToken cancellation)
    {
        SetStillPaused(true);
        try
        {
            await Context.WaitForStateAsync(InputState.Released, cancellation).ConfigureAwait(false);

            Context.SetState(InputState.Still, "running " + Path.GetFileName(command[0]));
            var run = RunStillCommand ?? throw new StillFailedException("no program runner for -still_command");
            return await run(command, cancellation).ConfigureAwait(false);
        }
        finally
        {
            SetStillPaused(false);
        }
    }

    private async Task KeepAliveDuringStillAsync(CancellationToken cancellation)
    {
        try
        {
            while (true)
            {
                await Task.Delay(KeepAliveInterval, Hub.Time, cancellation).ConfigureAwait(false);
                PublishKeepAlive();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private (bool Paused, string Reason, Task Changed) Snapshot()
    {
        lock (_gate)
        {
            return (_pauseRequested, _pauseReason, _change.Task);
        }
    }

    private async Task SuperviseAsync()
    {
        var stopped = Task.Delay(Timeout.Infinite, _stop.Token).ContinueWith(static _ => { }, TaskScheduler.Default);
        var resumed = false;
        while (!_stop.IsCancellationRequested)
        {
            var (paused, _, changed) = Snapshot();
            if (!paused)
            {
                if (resumed)
                {
                    Context.SetState(InputState.Starting, "resuming");
                }

                await RunUntilPausedAsync(changed, stopped).ConfigureAwait(false);
                resumed = true;
                continue;
            }

            await KeepAliveWhilePausedAsync(stopped).ConfigureAwait(false);
        }
    }

    /// <summary>Runs the source until a pause is asked for (or the process stops), then waits until it has let go.</summary>
    private async Task RunUntilPausedAsync(Task changed, Task stopped)
    {
        using var runStop = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var run = RunSourceAsync(runStop.Token);
        while (true)
        {
            await Task.WhenAny(run, changed, stopped).ConfigureAwait(false);
            if (run.IsCompleted)
            {
                // The source ended on its own (it failed, and said why): it stays down until a pause and resume, or the stop.
                await Task.WhenAny(changed, stopped).ConfigureAwait(false);
            }

            var (paused, reason, next) = Snapshot();
            if (paused || _stop.IsCancellationRequested)
            {
                Volatile.Write(ref _lettingGoSince, Math.Max(1, Hub.Time.GetTimestamp()));
                await runStop.CancelAsync().ConfigureAwait(false);
                await run.ConfigureAwait(false);
                Volatile.Write(ref _lettingGoSince, 0);
                if (paused && !_stop.IsCancellationRequested)
                {
                    Context.SetState(InputState.Released, reason);
                }

                return;
            }

            changed = next;
        }
    }

    private async Task KeepAliveWhilePausedAsync(Task stopped)
    {
        // Nothing runs while paused: the input holds no device.
        var (_, reason, changed) = Snapshot();
        Context.SetState(InputState.Released, reason);
        while (true)
        {
            // The next tick is armed before the frame goes out: readers may run on this thread inside Publish
            // (LatestFrameHub.InlineReaders), and whatever they do next must find the interval already running.
            using var tick = new CancellationTokenSource(KeepAliveInterval, Hub.Time);
            PublishKeepAlive();
            var delay = Task.Delay(Timeout.Infinite, tick.Token).ContinueWith(static _ => { }, TaskScheduler.Default);
            await Task.WhenAny(changed, stopped, delay).ConfigureAwait(false);
            var (paused, _, next) = Snapshot();
            if (!paused || _stop.IsCancellationRequested)
            {
                return;
            }

            changed = next;
        }
    }

    /// <summary>The last real frame again (with its own capture time), or the "PAUSED" picture; marked as a placeholder.</summary>
    private void PublishKeepAlive()
    {
        var last = Hub.AcquireLastReal();
        try
        {
            var size = last is null ? DefaultPictureSize : (last.Width, last.Height);
            ReadOnlySpan<byte> picture;
            long timestamp = 0;
            if (last is not null && (PauseFrame == PauseFrame.Last || PausedPicture is null))
            {
                picture = last.Span;
                timestamp = last.TimestampUs;
            }
            else if (PausedPicture is not null)
            {
                picture = PausedPicture(size.Width, size.Height);
            }
            else
            {
                return;
            }

            var frame = Context.RentFrame(picture.Length);
            frame.Write(picture);
            frame.Width = size.Width;
            frame.Height = size.Height;
            frame.TimestampUs = timestamp;
            frame.IsPlaceholder = true;
            Context.Publish(frame);
        }
        finally
        {
            last?.Release();
        }
    }

    private async Task RunSourceAsync(CancellationToken cancellation)
    {
        Context.BeatWithin = null;
        try
        {
            await Source.RunAsync(Context, cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Context.SetState(InputState.NoSignal, ex.Message);
            LogSourceFailed(Context.Logger, Id, ex);
        }
        finally
        {
            // A run that ended has no loop to judge.
            Context.BeatWithin = null;
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        Hub.Clear();
        _stop.Dispose();
        _stillGate.Dispose();
    }

    [LoggerMessage(EventId = LogEvents.CameraStreamSourceFailed, Level = LogLevel.Error, Message = "input {InputId}: the source stopped with an error")]
    private static partial void LogSourceFailed(ILogger logger, int inputId, Exception exception);
}
