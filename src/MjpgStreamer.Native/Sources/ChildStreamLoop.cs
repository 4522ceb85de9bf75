using System.Globalization;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Diagnostics;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Streaming;

namespace MjpgStreamer.Native.Sources;

/// <summary>
/// The run loop of the inputs that are one program's MJPEG (input_ptp2's gphoto2, input_opencv's ffmpeg): each turn
/// asks the source for the command (it may run a program first, e.g. gphoto2 --set-config), runs it through
/// <see cref="ChildProcessRunner"/> and publishes its frames through <see cref="MjpegFramePump"/>. When the program
/// ends or cannot start, the input is no_signal with the reason, clients get the NO SIGNAL picture about once a
/// second, and it starts again after 1 s, 2 s, 4 s … at most 10 s (1 s again after a run that brought frames), as
/// input_http does; a program that sends no frame for <see cref="Silence"/> (10 s) is ended and counts as failed the
/// same way. <see cref="Interrupt"/> ends the current run (or wait) and starts the next turn at once.
/// </summary>
internal sealed partial class ChildStreamLoop(string plugin)
{
    private readonly ChildProcessRunner _runner = new(plugin);
    private readonly MjpegFramePump _pump = new();
    private readonly PlaceholderFrames _placeholders = new();
    private readonly Lock _gate = new();
    private CancellationTokenSource? _interrupt;
    private int _width = 640;
    private int _height = 480;

    /// <summary>How many times the program was started.</summary>
    public long Starts => _runner.Starts;

    /// <summary>The running program's pid, 0 while none runs.</summary>
    public int ChildProcessId => _runner.ChildProcessId;

    /// <summary>Frames dropped as malformed, over all runs.</summary>
    public long CorruptFrames => _pump.CorruptFrames;

    /// <summary>First restart delay; doubles per failed run up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>No frame for this long (the first one included) ends the run as a failure.</summary>
    public TimeSpan Silence { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the program has between SIGTERM and SIGKILL.</summary>
    public TimeSpan TerminateGrace { get => _runner.TerminateGrace; set => _runner.TerminateGrace = value; }

    /// <summary>Ends the current run or backoff now; the next turn starts at once (no backoff, no no_signal).</summary>
    public void Interrupt()
    {
        lock (_gate)
        {
            _interrupt?.Cancel();
        }
    }

    /// <summary>Runs until <paramref name="cancellation"/> (pause, stop); the program is stopped and reaped before it returns.</summary>
    /// <param name="prepare">Before each run: the command to run (argv, the program first).</param>
    /// <param name="admit">Whether a frame is published (a rate limit); null: every frame. Called with each run's first frame after <paramref name="runStarted"/>.</param>
    /// <param name="runStarted">Called before each run (to reset a rate limit).</param>
    public async Task RunAsync(
        SourceContext context,
        Func<CancellationToken, Task<IReadOnlyList<string>>> prepare,
        Func<Frame, bool>? admit,
        Action? runStarted,
        CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(prepare);
        var backoff = InitialBackoff;
        while (!cancellation.IsCancellationRequested)
        {
            using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            lock (_gate)
            {
                _interrupt = interrupt;
            }

            try
            {
                var program = plugin;
                string reason;
                var frames = 0L;
                try
                {
                    var command = await prepare(cancellation).ConfigureAwait(false);
                    program = Path.GetFileName(command[0]);
                    runStarted?.Invoke();

                    // A program that hangs (a camera gone without a word, a network stream gone silent) is ended too.
                    using var silence = new CancellationTokenSource(Silence, context.Time);
                    using var run = CancellationTokenSource.CreateLinkedTokenSource(interrupt.Token, silence.Token);
                    var result = await _runner.RunAsync(
                        command,
                        context.Logger,
                        context.Time,
                        (stdout, ct) => _pump.PumpAsync(
                            context,
                            stdout,
                            frame => Seen(frame, ref frames),
                            ct,
                            admit: frame =>
                            {
                                silence.CancelAfter(Silence);
                                return admit is null || admit(frame);
                            }),
                        context.Reason,
                        exitIsNormal: false,
                        run.Token).ConfigureAwait(false);
                    reason = silence.IsCancellationRequested && !interrupt.IsCancellationRequested
                        ? string.Create(CultureInfo.InvariantCulture, $"no frame from {program} for {Silence.TotalSeconds} s")
                        : !result.Started ? result.Reason
                        : _runner.LastErrorLine is { } said ? $"{program} exited with code {result.ExitCode}: {said}"
                        : $"{program} exited with code {result.ExitCode}";
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A bug or an unexpected OS error must not take the server down: treat it like a failed run.
                    Log.RunFailed(context.Logger, plugin, program, ex);
                    reason = $"{program}: {ex.Message}";
                }

                if (interrupt.IsCancellationRequested)
                {
                    continue;
                }

                if (Interlocked.Read(ref frames) > 0)
                {
                    backoff = InitialBackoff;
                }

                if (context.State != InputState.NoSignal || context.Reason != reason)
                {
                    Log.Lost(context.Logger, plugin, reason, backoff.TotalSeconds);
                }

                context.SetState(InputState.NoSignal, reason);
                await WaitWithPlaceholdersAsync(context, reason, backoff, interrupt.Token).ConfigureAwait(false);
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

    private void Seen(Frame frame, ref long frames)
    {
        // The picture's size, for NO SIGNAL pictures of the same size later.
        if (frames++ == 0 && JpegInfo.TryReadSize(frame.Span, out var width, out var height))
        {
            (_width, _height) = (width, height);
        }
    }

    /// <summary>The program is away: a NO SIGNAL picture with the reason now and about once a second, until the next try.</summary>
    private Task WaitWithPlaceholdersAsync(SourceContext context, string reason, TimeSpan wait, CancellationToken cancellation) =>
        _placeholders.PublishWhileWaitingAsync(context, "NO SIGNAL", reason, _width, _height, wait, cancellation);

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ChildStreamLost, Level = LogLevel.Warning, Message = "{Plugin}: {Reason}; trying again in {Seconds} s")]
        public static partial void Lost(ILogger logger, string plugin, string reason, double seconds);

        [LoggerMessage(EventId = LogEvents.ChildStreamRunFailed, Level = LogLevel.Error, Message = "{Plugin}: running {Program} failed unexpectedly")]
        public static partial void RunFailed(ILogger logger, string plugin, string program, Exception exception);
    }
}
