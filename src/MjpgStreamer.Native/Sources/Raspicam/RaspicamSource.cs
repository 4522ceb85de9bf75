using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;

namespace MjpgStreamer.Native.Sources.Raspicam;

/// <summary>
/// input_raspicam.so for today's Raspberry Pi OS (no MMAL): the stream loop that runs rpicam-vid's MJPEG
/// (libcamera-vid on older systems) with the original's options mapped by <see cref="RaspicamOptionMap"/>,
/// restarting it with backoff, and that stops it for a still taken by <see cref="RaspicamStill"/>. Each child
/// runs on a <see cref="CameraThread"/>, so a thread named <c>input_raspicam</c> exists only while the camera
/// is held.
/// </summary>
public sealed class RaspicamSource : IFrameSource, IStillCapture
{
    public const string Name = RaspicamOptionMap.Plugin;

    /// <summary>The Linux name of the thread that holds the camera (what the fork's script looks for).</summary>
    public const string ThreadName = "input_raspicam";

    private long _attempts;
    private const string PluginDisplayName = "raspicam input plugin";
    private const string NotFoundReason = "rpicam-vid not found";

    private readonly ChildProcessRunner _videoRunner = new(ThreadName);
    private readonly RaspicamStill _still;
    private readonly MjpegFramePump _pump = new();
    private readonly Lock _gate = new();
    private bool _running;
    private bool _warned;
    private CancellationTokenSource? _interrupt;
    private StillRequest? _pending;
    private TimeProvider _time = TimeProvider.System;

    internal RaspicamSource(RaspicamSettings settings)
    {
        Settings = settings;
        VideoArguments = ["--codec", "mjpeg", "-o", "-", "--nopreview", "-t", "0", "--verbose", "0", .. settings.VideoOptions];
        _still = new RaspicamStill(settings.StillOptions);
    }

    /// <summary>The plugin descriptor: parse its words with <see cref="PluginOptionParser"/>, then call <see cref="InputPlugin.Create"/>.</summary>
    public static InputPlugin Plugin { get; } = new(
        Name,
        PluginDisplayName,
        RaspicamOptionMap.Specs,
        PluginHelp.Format("input", PluginDisplayName, [.. RaspicamOptionMap.Rows.Select(r => (r.HelpOption, r.HelpText))]),
        Create)
    {
        Summary = "the Raspberry Pi camera via rpicam-vid (-x W -y H -fps FPS ...)",
    };

    public string DisplayName => PluginDisplayName;

    /// <summary>rpicam-vid's arguments (without the program name).</summary>
    public IReadOnlyList<string> VideoArguments { get; }

    /// <summary>rpicam-still's arguments (without the program name).</summary>
    public IReadOnlyList<string> StillArguments => _still.Arguments;

    /// <summary>What the options asked for that rpicam cannot do; logged once when the input first runs.</summary>
    public IReadOnlyList<string> Warnings => Settings.Warnings;

    /// <summary>The running rpicam-vid's pid, 0 while none runs.</summary>
    public int ChildProcessId => _videoRunner.ChildProcessId;

    /// <summary>How many times rpicam-vid was started.</summary>
    public long Starts => _videoRunner.Starts;

    /// <summary>How many rpicam-vid runs were tried, started or not.</summary>
    internal long Attempts => Interlocked.Read(ref _attempts);

    /// <summary>Frames dropped as malformed, over all runs of rpicam-vid.</summary>
    public long CorruptFrames => _pump.CorruptFrames;

    internal RaspicamSettings Settings { get; }

    /// <summary>Where rpicam-vid and rpicam-still are looked for (a PATH-like list); null: the process's PATH.</summary>
    internal string? SearchPath
    {
        get;
        init
        {
            field = value;
            _still.SearchPath = value;
        }
    }

    internal TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(0.5);

    internal TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A run at least this long counts as healthy: the next restart starts again at the initial backoff.</summary>
    internal TimeSpan StableRun { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The whole still, from the request (stopping rpicam-vid included) to rpicam-still's JPEG.</summary>
    internal TimeSpan StillTimeout
    {
        get => _still.Timeout;
        init => _still.Timeout = value;
    }

    internal int MaxStillBytes
    {
        get => _still.MaxBytes;
        init => _still.MaxBytes = value;
    }

    internal TimeSpan TerminateGrace
    {
        get => _videoRunner.TerminateGrace;
        init => _videoRunner.TerminateGrace = _still.TerminateGrace = value;
    }

    public static RaspicamSource Create(ParsedOptions options, PluginEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new RaspicamSource(RaspicamOptionMap.Map(options));
    }

    public async Task RunAsync(SourceContext context, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(context);
        WarnOnce(context.Logger);
        lock (_gate)
        {
            _running = true;
            _time = context.Time;
        }

        try
        {
            var backoff = InitialBackoff;
            while (!cancellation.IsCancellationRequested)
            {
                using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                StillRequest? still;
                lock (_gate)
                {
                    still = _pending;
                    _interrupt = still is null ? interrupt : null;
                }

                try
                {
                    if (still is not null)
                    {
                        await _still.TakeAsync(context, still, cancellation).ConfigureAwait(false);
                        lock (_gate)
                        {
                            _pending = null;
                        }

                        // The camera was working a moment ago: start the stream again at once.
                        backoff = InitialBackoff;
                        continue;
                    }

                    var started = context.Time.GetTimestamp();
                    var reason = await RunVideoAsync(context, interrupt.Token).ConfigureAwait(false);
                    if (interrupt.IsCancellationRequested)
                    {
                        // Paused or stopped (the loop ends), or a still wants the camera (no backoff).
                        continue;
                    }

                    if (context.Time.GetElapsedTime(started) >= StableRun)
                    {
                        backoff = InitialBackoff;
                    }

                    context.SetState(InputState.NoSignal, reason);
                    await Task.Delay(backoff, context.Time, interrupt.Token).ConfigureAwait(false);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                }
                catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
                {
                }
                finally
                {
                    lock (_gate)
                    {
                        if (_interrupt == interrupt)
                        {
                            _interrupt = null;
                        }
                    }
                }
            }
        }
        finally
        {
            StillRequest? orphan;
            lock (_gate)
            {
                _running = false;
                _interrupt = null;
                orphan = _pending;
                _pending = null;
            }

            orphan?.Done.TrySetException(new StillFailedException("the input was paused"));
        }
    }

    /// <summary>
    /// Stops rpicam-vid, runs rpicam-still for one JPEG, and lets the stream start again at once. The whole still
    /// is bounded by <see cref="StillTimeout"/>; any failure is a <see cref="StillFailedException"/>.
    /// </summary>
    public async Task<byte[]> CaptureStillAsync(CancellationToken cancellation)
    {
        StillRequest request;
        lock (_gate)
        {
            if (!_running)
            {
                throw new StillFailedException("the input is paused");
            }

            if (_pending is not null)
            {
                throw new StillFailedException("another still is being taken");
            }

            request = new StillRequest(_time.GetTimestamp(), cancellation);
            _pending = request;

            // Callbacks of this token only complete tasks; none takes the gate.
            _interrupt?.Cancel();
        }

        return await request.Done.Task.WaitAsync(cancellation).ConfigureAwait(false);
    }

    private void WarnOnce(ILogger logger)
    {
        if (_warned)
        {
            return;
        }

        _warned = true;
        foreach (var warning in Settings.Warnings)
        {
            RaspicamLog.Unsupported(logger, warning);
        }

        var command = string.Join(' ', VideoArguments);
        RaspicamLog.Command(logger, command);
    }

    /// <summary>One run of rpicam-vid; returns why it ended (for the NoSignal state).</summary>
    private async Task<string> RunVideoAsync(SourceContext context, CancellationToken cancellation)
    {
        Interlocked.Increment(ref _attempts);
        if (RaspicamPrograms.Find(RaspicamPrograms.Video, SearchPath) is not { } program)
        {
            if (context.Reason != NotFoundReason)
            {
                RaspicamLog.NotFound(context.Logger, string.Join(" nor ", RaspicamPrograms.Video), SearchPath ?? "PATH");
            }

            return NotFoundReason;
        }

        try
        {
            var result = await CameraThread.RunAsync(() => _videoRunner.RunAsync(
                [program, .. VideoArguments],
                context.Logger,
                context.Time,
                (stdout, ct) => _pump.PumpAsync(context, stdout, null, ct),
                context.Reason,
                exitIsNormal: false,
                cancellation)).ConfigureAwait(false);
            return result.Started && _videoRunner.LastErrorLine is { } said ? $"{result.Reason}: {said}" : result.Reason;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A bug or an unexpected OS error must not take the server down: treat it like a failed run.
            RaspicamLog.RunFailed(context.Logger, Path.GetFileName(program), ex);
            return $"{Path.GetFileName(program)}: {ex.Message}";
        }
    }
}
