using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Core.Diagnostics;

namespace MjpgStreamer.Native.Sources;

/// <summary>
/// input_exec.so (ours, not in the original): runs a program without a shell and reads MJPEG from its stdout,
/// e.g. <c>input_exec.so -- ffmpeg -f v4l2 -i /dev/video0 -f mjpeg -</c>. A child that exits is restarted
/// with backoff; on stop it gets SIGTERM, then SIGKILL, and is always reaped before <see cref="RunAsync"/> ends.
/// </summary>
public sealed partial class ExecSource : IFrameSource
{
    public const string Name = "input_exec.so";

    private const string PluginDisplayName = "EXEC input plugin";

    private static readonly string HelpText = PluginHelp.Format(
        "input",
        PluginDisplayName,
        ("[-r | --resolution ]", "size the frames are expected to have (WxH or a name\nsuch as VGA); informational, frames are not scaled"),
        ("-- PROGRAM [ARG ...]", "everything after -- is the command, run without a shell\n(use -- sh -c \"...\" for pipes); it must write MJPEG to\nstdout: JPEGs back to back (ffmpeg -f mjpeg -) or\nmultipart (ffmpeg -f mpjpeg -); its stderr is logged"));

    private readonly ChildProcessRunner _runner = new("input_exec");
    private readonly MjpegFramePump _pump = new();
    private bool _warnedResolution;

    public ExecSource(IReadOnlyList<string> command, (int Width, int Height)? expectedResolution = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Count == 0 || string.IsNullOrEmpty(command[0]))
        {
            throw new UsageException($"{Name}: a command is needed after --");
        }

        Command = [.. command];
        ExpectedResolution = expectedResolution;
    }

    /// <summary>The plugin descriptor: parse its words with <see cref="PluginOptionParser"/>, then call <see cref="InputPlugin.Create"/>.</summary>
    public static InputPlugin Plugin { get; } = new(
        Name,
        PluginDisplayName,
        [new OptionSpec("r", true, "r", "resolution"), OptionSpec.RestAfterDoubleDash],
        HelpText,
        Create)
    {
        Summary = "MJPEG from a program's stdout (-r WxH -- PROGRAM ARGS...)",
    };

    public string DisplayName => PluginDisplayName;

    /// <summary>The program and its arguments.</summary>
    public IReadOnlyList<string> Command { get; }

    public (int Width, int Height)? ExpectedResolution { get; }

    /// <summary>Frames dropped as malformed, truncated or too large, over all runs of the child.</summary>
    public long CorruptFrames => _pump.CorruptFrames;

    /// <summary>How many times the child was started.</summary>
    public long Starts => _runner.Starts;

    /// <summary>How many runs were tried, started or not.</summary>
    internal long Attempts => _runner.Attempts;

    /// <summary>The running child's pid, 0 while none runs.</summary>
    public int ChildProcessId => _runner.ChildProcessId;

    /// <summary>First restart delay; doubles per failed run up to <see cref="MaxBackoff"/>.</summary>
    internal TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(0.5);

    internal TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A run at least this long counts as healthy: the next restart starts again at the initial backoff.</summary>
    internal TimeSpan StableRun { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the child has between SIGTERM and SIGKILL.</summary>
    internal TimeSpan TerminateGrace { get => _runner.TerminateGrace; init => _runner.TerminateGrace = value; }

    /// <summary>How long a child whose stdout ended has to exit by itself before it is terminated.</summary>
    internal TimeSpan ExitGrace { get => _runner.ExitGrace; init => _runner.ExitGrace = value; }

    public static ExecSource Create(ParsedOptions options, PluginEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ExecSource(options.Rest, options.GetResolution("r"));
    }

    public async Task RunAsync(SourceContext context, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(context);
        var backoff = InitialBackoff;
        while (!cancellation.IsCancellationRequested)
        {
            var started = context.Time.GetTimestamp();
            string reason;
            try
            {
                reason = await RunChildAsync(context, cancellation).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A bug or an unexpected OS error must not take the server down: treat it like a failed run.
                Log.RunFailed(context.Logger, ProgramName, ex);
                reason = $"{ProgramName}: {ex.Message}";
            }

            if (cancellation.IsCancellationRequested)
            {
                break;
            }

            if (context.Time.GetElapsedTime(started) >= StableRun)
            {
                backoff = InitialBackoff;
            }

            context.SetState(InputState.NoSignal, reason);
            try
            {
                await Task.Delay(backoff, context.Time, cancellation).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private string ProgramName => Path.GetFileName(Command[0]);

    /// <summary>One run of the child, from start to reaped. Returns why it ended (for the NoSignal state).</summary>
    private async Task<string> RunChildAsync(SourceContext context, CancellationToken cancellation)
    {
        var result = await _runner.RunAsync(
            Command,
            context.Logger,
            context.Time,
            (stdout, ct) => _pump.PumpAsync(context, stdout, frame => CheckResolution(context, frame.Span), ct),
            context.Reason,
            exitIsNormal: false,
            cancellation).ConfigureAwait(false);
        return result.Reason;
    }

    private void CheckResolution(SourceContext context, ReadOnlySpan<byte> jpeg)
    {
        if (_warnedResolution || ExpectedResolution is not { } expected || !JpegInfo.TryReadSize(jpeg, out var width, out var height))
        {
            return;
        }

        if ((width, height) != expected)
        {
            _warnedResolution = true;
            Log.UnexpectedSize(context.Logger, ProgramName, width, height, expected.Width, expected.Height);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ExecSourceUnexpectedSize, Level = LogLevel.Information, Message = "input_exec: {Program} sends {Width}x{Height} frames, not the {ExpectedWidth}x{ExpectedHeight} given with -r")]
        public static partial void UnexpectedSize(ILogger logger, string program, int width, int height, int expectedWidth, int expectedHeight);

        [LoggerMessage(EventId = LogEvents.ExecSourceRunFailed, Level = LogLevel.Error, Message = "input_exec: running {Program} failed unexpectedly")]
        public static partial void RunFailed(ILogger logger, string program, Exception exception);
    }
}
