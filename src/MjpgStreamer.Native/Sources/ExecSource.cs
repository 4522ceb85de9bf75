using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Interop;

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

    private long _starts;
    private long _corruptFrames;
    private int _childPid;
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
        Create);

    public string DisplayName => PluginDisplayName;

    /// <summary>The program and its arguments.</summary>
    public IReadOnlyList<string> Command { get; }

    public (int Width, int Height)? ExpectedResolution { get; }

    /// <summary>Frames dropped as malformed, truncated or too large, over all runs of the child.</summary>
    public long CorruptFrames => Interlocked.Read(ref _corruptFrames);

    /// <summary>How many times the child was started.</summary>
    public long Starts => Interlocked.Read(ref _starts);

    /// <summary>The running child's pid, 0 while none runs.</summary>
    public int ChildProcessId => Volatile.Read(ref _childPid);

    /// <summary>First restart delay; doubles per failed run up to <see cref="MaxBackoff"/>.</summary>
    internal TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(0.5);

    internal TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A run at least this long counts as healthy: the next restart starts again at the initial backoff.</summary>
    internal TimeSpan StableRun { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the child has between SIGTERM and SIGKILL.</summary>
    internal TimeSpan TerminateGrace { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a child whose stdout ended has to exit by itself before it is terminated.</summary>
    internal TimeSpan ExitGrace { get; init; } = TimeSpan.FromSeconds(1);

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
        var startInfo = new ProcessStartInfo(Command[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        for (var i = 1; i < Command.Count; i++)
        {
            startInfo.ArgumentList.Add(Command[i]);
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            var why = ex is Win32Exception { NativeErrorCode: var errno } ? Marshal.GetPInvokeErrorMessage(errno) : ex.Message;
            var reason = $"cannot start {Command[0]}: {why}";
            if (context.Reason != reason)
            {
                Log.StartFailed(context.Logger, Command[0], why);
            }

            return reason;
        }

        Interlocked.Increment(ref _starts);
        Volatile.Write(ref _childPid, process.Id);
        Log.Started(context.Logger, ProgramName, process.Id);

        // Nothing to say to the child; closing stdin tells one that reads it so.
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
        }

        using var stderrStop = new CancellationTokenSource();
        var stderr = LogStandardErrorAsync(process.StandardError, context.Logger, stderrStop.Token);
        var dropped = 0L;
        try
        {
            dropped = await PumpFramesAsync(context, process.StandardOutput.BaseStream, cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }
        catch (IOException ex)
        {
            Log.ReadFailed(context.Logger, ProgramName, ex.Message);
        }
        finally
        {
            await StopChildAsync(process, context, gentle: !cancellation.IsCancellationRequested).ConfigureAwait(false);
            Volatile.Write(ref _childPid, 0);

            // The child is gone; its last words (often the reason it failed) may still be in the pipe.
            await Task.WhenAny(stderr, Task.Delay(TimeSpan.FromMilliseconds(500), context.Time)).ConfigureAwait(false);
            await stderrStop.CancelAsync().ConfigureAwait(false);
            await stderr.ConfigureAwait(false);
        }

        var code = process.ExitCode;
        if (cancellation.IsCancellationRequested)
        {
            Log.Stopped(context.Logger, ProgramName, code);
        }
        else
        {
            Log.Exited(context.Logger, ProgramName, code, dropped);
        }

        return $"child exited with code {code}";
    }

    /// <summary>Reads frames until the child's stdout ends; returns how many were dropped as corrupt.</summary>
    private async Task<long> PumpFramesAsync(SourceContext context, Stream stdout, CancellationToken cancellation)
    {
        var reader = new MjpegStreamReader(stdout);
        var invalid = 0L;
        try
        {
            while (true)
            {
                var frame = context.RentFrame();
                bool complete;
                try
                {
                    complete = await reader.ReadFrameAsync(frame, cancellation).ConfigureAwait(false);
                }
                catch
                {
                    frame.Release();
                    throw;
                }

                if (!complete)
                {
                    frame.Release();
                    return invalid + reader.CorruptFrames;
                }

                if (!JpegInfo.IsWellFormed(frame.Span))
                {
                    frame.Release();
                    invalid++;
                    Interlocked.Increment(ref _corruptFrames);
                    continue;
                }

                CheckResolution(context, frame.Span);
                context.Publish(frame);
            }
        }
        finally
        {
            Interlocked.Add(ref _corruptFrames, reader.CorruptFrames);
        }
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

    private async Task LogStandardErrorAsync(StreamReader stderr, ILogger logger, CancellationToken cancellation)
    {
        try
        {
            while (await stderr.ReadLineAsync(cancellation).ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                Log.ChildSaid(logger, ProgramName, line.Length > 1000 ? line[..1000] + "…" : line);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Makes sure the child is gone: a gentle stop first waits for it to exit by itself. Then the child and its
    /// descendants get SIGTERM, and whatever is left after the grace period SIGKILL; the runtime reaps the child.
    /// </summary>
    private async Task StopChildAsync(Process process, SourceContext context, bool gentle)
    {
        var time = context.Time;
        var exited = process.WaitForExitAsync(CancellationToken.None);
        if (gentle && await CompletesWithin(exited, ExitGrace, time).ConfigureAwait(false))
        {
            process.WaitForExit();
            return;
        }

        if (!exited.IsCompleted)
        {
            var pid = process.Id;
            var descendants = FreezeTree(pid);
            Signal(pid, LibcSignals.SigTerm);
            Signal(pid, LibcSignals.SigCont);
            foreach (var descendant in descendants)
            {
                if (ProcessTree.IsAlive(descendant))
                {
                    Signal(descendant.Pid, LibcSignals.SigTerm);
                    Signal(descendant.Pid, LibcSignals.SigCont);
                }
            }

            var deadline = time.GetTimestamp() + (long)(TerminateGrace.TotalSeconds * time.TimestampFrequency);
            while (time.GetTimestamp() < deadline && !(exited.IsCompleted && descendants.TrueForAll(d => !ProcessTree.IsAlive(d))))
            {
                await CompletesWithin(exited, TimeSpan.FromMilliseconds(20), time).ConfigureAwait(false);
            }

            if (!exited.IsCompleted)
            {
                Log.Killing(context.Logger, ProgramName, pid);
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException)
                {
                    // It exited in the meantime.
                }
            }

            // Descendants that have left the child's tree (it exited first) are still ours to kill.
            foreach (var descendant in descendants)
            {
                if (ProcessTree.IsAlive(descendant))
                {
                    Signal(descendant.Pid, LibcSignals.SigKill);
                }
            }
        }

        // SIGKILL cannot be ignored; only a process stuck in the kernel takes longer, and then we say so.
        if (!await CompletesWithin(exited, TimeSpan.FromSeconds(10), time).ConfigureAwait(false))
        {
            Log.StillRunning(context.Logger, ProgramName, process.Id);
            await exited.ConfigureAwait(false);
        }

        process.WaitForExit();
    }

    /// <summary>
    /// Stops (SIGSTOP) the child and all its descendants, so none can start another process between our
    /// looking and our signalling (a shell would otherwise leave an orphan behind). Returns the descendants.
    /// </summary>
    private static List<ProcessTree.ProcessId> FreezeTree(int pid)
    {
        Signal(pid, LibcSignals.SigStop);
        var seen = new HashSet<int>();
        var descendants = new List<ProcessTree.ProcessId>();
        for (var round = 0; round < 20; round++)
        {
            var added = false;
            foreach (var descendant in ProcessTree.Descendants(pid))
            {
                if (seen.Add(descendant.Pid))
                {
                    Signal(descendant.Pid, LibcSignals.SigStop);
                    descendants.Add(descendant);
                    added = true;
                }
            }

            if (!added)
            {
                break;
            }
        }

        return descendants;
    }

    private static void Signal(int pid, int signal)
    {
        // ESRCH (already gone) is fine; nothing else can go wrong for our own child.
        _ = LibcSignals.Kill(pid, signal);
    }

    private static async Task<bool> CompletesWithin(Task task, TimeSpan timeout, TimeProvider time)
    {
        if (task.IsCompleted)
        {
            return true;
        }

        using var cts = new CancellationTokenSource();
        var delay = Task.Delay(timeout, time, cts.Token);
        var first = await Task.WhenAny(task, delay).ConfigureAwait(false);
        await cts.CancelAsync().ConfigureAwait(false);
        return first == task;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1500, Level = LogLevel.Information, Message = "input_exec: started {Program} (pid {Pid})")]
        public static partial void Started(ILogger logger, string program, int pid);

        [LoggerMessage(EventId = 1501, Level = LogLevel.Warning, Message = "input_exec: cannot start {Program}: {Reason}")]
        public static partial void StartFailed(ILogger logger, string program, string reason);

        [LoggerMessage(EventId = 1502, Level = LogLevel.Warning, Message = "input_exec: {Program} exited with code {ExitCode} ({Dropped} corrupt frames dropped)")]
        public static partial void Exited(ILogger logger, string program, int exitCode, long dropped);

        [LoggerMessage(EventId = 1503, Level = LogLevel.Warning, Message = "{Program}: {Line}")]
        public static partial void ChildSaid(ILogger logger, string program, string line);

        [LoggerMessage(EventId = 1504, Level = LogLevel.Warning, Message = "input_exec: {Program} (pid {Pid}) ignored SIGTERM, killing it")]
        public static partial void Killing(ILogger logger, string program, int pid);

        [LoggerMessage(EventId = 1505, Level = LogLevel.Error, Message = "input_exec: {Program} (pid {Pid}) does not die even after SIGKILL; waiting for it")]
        public static partial void StillRunning(ILogger logger, string program, int pid);

        [LoggerMessage(EventId = 1506, Level = LogLevel.Warning, Message = "input_exec: reading from {Program} failed: {Reason}")]
        public static partial void ReadFailed(ILogger logger, string program, string reason);

        [LoggerMessage(EventId = 1507, Level = LogLevel.Information, Message = "input_exec: {Program} sends {Width}x{Height} frames, not the {ExpectedWidth}x{ExpectedHeight} given with -r")]
        public static partial void UnexpectedSize(ILogger logger, string program, int width, int height, int expectedWidth, int expectedHeight);

        [LoggerMessage(EventId = 1509, Level = LogLevel.Information, Message = "input_exec: stopped {Program} (exit code {ExitCode})")]
        public static partial void Stopped(ILogger logger, string program, int exitCode);

        [LoggerMessage(EventId = 1508, Level = LogLevel.Error, Message = "input_exec: running {Program} failed unexpectedly")]
        public static partial void RunFailed(ILogger logger, string program, Exception exception);
    }
}
