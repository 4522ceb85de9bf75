using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;

namespace MjpgStreamer.Native.Sources.Raspicam;

/// <summary>
/// input_raspicam.so for today's Raspberry Pi OS (no MMAL): streams rpicam-vid's MJPEG (libcamera-vid on older
/// systems) with the original's options mapped by <see cref="RaspicamOptionMap"/>, and takes full-resolution
/// stills with rpicam-still between two runs of rpicam-vid. Each child run is owned by a thread named
/// <c>input_raspicam</c> that exists only while the child (and so the camera) is held, because the pause fork's
/// before-snapshot.sh waits for that thread to disappear before it uses the camera.
/// </summary>
public sealed partial class RaspicamSource : IFrameSource, IStillCapture
{
    public const string Name = RaspicamOptionMap.Plugin;

    /// <summary>The Linux name of the thread that holds the camera (what the fork's script looks for).</summary>
    public const string ThreadName = "input_raspicam";

    private const string PluginDisplayName = "raspicam input plugin";
    private const string NotFoundReason = "rpicam-vid not found";

    private static readonly string[] VideoPrograms = ["rpicam-vid", "libcamera-vid"];
    private static readonly string[] StillPrograms = ["rpicam-still", "libcamera-still"];

    private readonly ChildProcessRunner _videoRunner = new(ThreadName);
    private readonly ChildProcessRunner _stillRunner = new(ThreadName);
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
        StillArguments = ["-o", "-", "--immediate", "--nopreview", "--verbose", "0", .. settings.StillOptions];
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
    public IReadOnlyList<string> StillArguments { get; }

    /// <summary>What the options asked for that rpicam cannot do; logged once when the input first runs.</summary>
    public IReadOnlyList<string> Warnings => Settings.Warnings;

    /// <summary>The running rpicam-vid's pid, 0 while none runs.</summary>
    public int ChildProcessId => _videoRunner.ChildProcessId;

    /// <summary>How many times rpicam-vid was started.</summary>
    public long Starts => _videoRunner.Starts;

    /// <summary>Frames dropped as malformed, over all runs of rpicam-vid.</summary>
    public long CorruptFrames => _pump.CorruptFrames;

    internal RaspicamSettings Settings { get; }

    /// <summary>Where rpicam-vid and rpicam-still are looked for (a PATH-like list); null: the process's PATH.</summary>
    internal string? SearchPath { get; init; }

    internal TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(0.5);

    internal TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A run at least this long counts as healthy: the next restart starts again at the initial backoff.</summary>
    internal TimeSpan StableRun { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The whole still, from the request (stopping rpicam-vid included) to rpicam-still's JPEG.</summary>
    internal TimeSpan StillTimeout { get; init; } = TimeSpan.FromSeconds(5);

    internal int MaxStillBytes { get; init; } = 50 * 1024 * 1024;

    internal TimeSpan TerminateGrace
    {
        get => _videoRunner.TerminateGrace;
        init => _videoRunner.TerminateGrace = _stillRunner.TerminateGrace = value;
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
                        await TakeStillAsync(context, still, cancellation).ConfigureAwait(false);
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

            request = new StillRequest(cancellation, _time.GetTimestamp());
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
            Log.Unsupported(logger, warning);
        }

        Log.Command(logger, string.Join(' ', VideoArguments));
    }

    /// <summary>One run of rpicam-vid; returns why it ended (for the NoSignal state).</summary>
    private async Task<string> RunVideoAsync(SourceContext context, CancellationToken cancellation)
    {
        if (FindProgram(VideoPrograms) is not { } program)
        {
            if (context.Reason != NotFoundReason)
            {
                Log.NotFound(context.Logger, string.Join(" nor ", VideoPrograms), SearchPath ?? "PATH");
            }

            return NotFoundReason;
        }

        try
        {
            var result = await OnCameraThreadAsync(() => _videoRunner.RunAsync(
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
            Log.RunFailed(context.Logger, Path.GetFileName(program), ex);
            return $"{Path.GetFileName(program)}: {ex.Message}";
        }
    }

    private async Task TakeStillAsync(SourceContext context, StillRequest request, CancellationToken cancellation)
    {
        var remaining = StillTimeout - context.Time.GetElapsedTime(request.Requested);
        using var timeout = new CancellationTokenSource(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, context.Time);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation, request.Cancellation, timeout.Token);
        if (FindProgram(StillPrograms) is not { } program)
        {
            request.Done.TrySetException(new StillFailedException("rpicam-still not found"));
            return;
        }

        var name = Path.GetFileName(program);
        context.SetState(InputState.Still, "taking a still");
        var jpeg = new StillBuffer(MaxStillBytes);
        ChildRunResult result;
        try
        {
            result = await OnCameraThreadAsync(() => _stillRunner.RunAsync(
                [program, .. StillArguments],
                context.Logger,
                context.Time,
                jpeg.ReadAllAsync,
                previousReason: null,
                exitIsNormal: true,
                limit.Token)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.RunFailed(context.Logger, name, ex);
            request.Done.TrySetException(new StillFailedException($"{name}: {ex.Message}", ex));
            return;
        }
        finally
        {
            if (!cancellation.IsCancellationRequested)
            {
                context.SetState(InputState.Starting, "resuming after a still");
            }
        }

        var said = _stillRunner.LastErrorLine is { } line ? $": {line}" : "";
        StillFailedException? failure = null;
        if (request.Cancellation.IsCancellationRequested)
        {
            request.Done.TrySetCanceled(request.Cancellation);
            return;
        }
        else if (cancellation.IsCancellationRequested)
        {
            failure = new StillFailedException("the input was paused");
        }
        else if (timeout.IsCancellationRequested)
        {
            failure = new StillFailedException($"{name} did not finish within {StillTimeout.TotalSeconds:0.#} s{said}");
        }
        else if (!result.Started)
        {
            failure = new StillFailedException(result.Reason);
        }
        else if (jpeg.TooLarge)
        {
            failure = new StillFailedException($"{name} wrote more than {MaxStillBytes / (1024 * 1024)} MB");
        }
        else if (result.ExitCode != 0)
        {
            failure = new StillFailedException($"{name} failed (exit code {result.ExitCode}){said}");
        }
        else if (!JpegInfo.HasSoiAndEoi(jpeg.Span))
        {
            failure = new StillFailedException($"{name} did not write a JPEG ({jpeg.Length} bytes){said}");
        }

        if (failure is not null)
        {
            Log.StillFailed(context.Logger, failure.Message);
            request.Done.TrySetException(failure);
            return;
        }

        request.Done.TrySetResult(jpeg.ToArray());
    }

    /// <summary>
    /// Runs a child's whole life (start, read, stop, reap) under a new thread named <see cref="ThreadName"/>, so
    /// the thread exists exactly while the camera may be held; returns once that thread has ended.
    /// </summary>
    private static async Task<T> OnCameraThreadAsync<T>(Func<Task<T>> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var tid = 0;
        var thread = new Thread(() =>
        {
            Volatile.Write(ref tid, Interop.LibcProcess.GetThreadId());
            try
            {
                done.SetResult(work().GetAwaiter().GetResult());
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        {
            Name = ThreadName,
            IsBackground = true,
        };
        thread.Start();
        try
        {
            return await done.Task.ConfigureAwait(false);
        }
        finally
        {
            // The thread has nothing left to do but return; waiting for that keeps "no thread" meaning "camera free".
            // Join returns when the managed thread is done; the kernel thread (what `ps -T` lists) ends a moment later.
            thread.Join();
            var task = $"/proc/self/task/{Volatile.Read(ref tid)}";
            for (var i = 0; i < 1000 && Directory.Exists(task); i++)
            {
                await Task.Delay(1).ConfigureAwait(false);
            }
        }
    }

    private string? FindProgram(string[] names)
    {
        var path = SearchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (var name in names)
        {
            foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(dir, name);
                try
                {
                    if (!OperatingSystem.IsWindows() && File.Exists(candidate)
                        && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
                    {
                        return candidate;
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                }
            }
        }

        return null;
    }

    private sealed record StillRequest(CancellationToken Cancellation, long Requested)
    {
        public TaskCompletionSource<byte[]> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>rpicam-still's stdout, read to the end but kept only up to a bound.</summary>
    private sealed class StillBuffer(int maxBytes)
    {
        private byte[] _data = new byte[256 * 1024];

        public int Length { get; private set; }

        public bool TooLarge { get; private set; }

        public ReadOnlySpan<byte> Span => _data.AsSpan(0, Length);

        public byte[] ToArray() => Span.ToArray();

        public async Task<long> ReadAllAsync(Stream stdout, CancellationToken cancellation)
        {
            while (true)
            {
                if (Length == _data.Length)
                {
                    if (Length > maxBytes)
                    {
                        TooLarge = true;
                        return 0;
                    }

                    Array.Resize(ref _data, Math.Min(_data.Length * 2, maxBytes + 1));
                }

                var read = await stdout.ReadAsync(_data.AsMemory(Length), cancellation).ConfigureAwait(false);
                if (read == 0)
                {
                    return 0;
                }

                Length += read;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1520, Level = LogLevel.Warning, Message = "input_raspicam: {Warning}")]
        public static partial void Unsupported(ILogger logger, string warning);

        [LoggerMessage(EventId = 1521, Level = LogLevel.Information, Message = "input_raspicam: rpicam-vid {Arguments}")]
        public static partial void Command(ILogger logger, string arguments);

        [LoggerMessage(EventId = 1522, Level = LogLevel.Warning, Message = "input_raspicam: neither {Programs} found in {SearchPath}; is rpicam-apps installed?")]
        public static partial void NotFound(ILogger logger, string programs, string searchPath);

        [LoggerMessage(EventId = 1523, Level = LogLevel.Error, Message = "input_raspicam: running {Program} failed unexpectedly")]
        public static partial void RunFailed(ILogger logger, string program, Exception exception);

        [LoggerMessage(EventId = 1524, Level = LogLevel.Warning, Message = "input_raspicam: still failed: {Reason}")]
        public static partial void StillFailed(ILogger logger, string reason);
    }
}
