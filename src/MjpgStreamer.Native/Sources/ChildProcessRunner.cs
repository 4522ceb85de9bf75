using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Diagnostics;

namespace MjpgStreamer.Native.Sources;

/// <summary>
/// Runs child programs for the sources that read a program's stdout (input_exec, input_raspicam): one run is one
/// <see cref="ChildProcess"/>, whose stdout goes to a consumer, and which is stopped, reaped and closed before the run
/// ends. Keeps what the sources report: starts, the running child's pid, its last stderr line.
/// </summary>
internal sealed partial class ChildProcessRunner(string plugin)
{
    private long _starts;
    private long _attempts;
    private int _childPid;
    private string? _lastErrorLine;

    /// <summary>How many children were started.</summary>
    public long Starts => Interlocked.Read(ref _starts);

    /// <summary>How many runs were tried, started or not (tests wait for retries with it).</summary>
    public long Attempts => Interlocked.Read(ref _attempts);

    /// <summary>The running child's pid, 0 while none runs.</summary>
    public int ChildProcessId => Volatile.Read(ref _childPid);

    /// <summary>The last non-empty line the latest child wrote to stderr (null if none).</summary>
    public string? LastErrorLine => Volatile.Read(ref _lastErrorLine);

    /// <summary>How long the child has between SIGTERM and SIGKILL.</summary>
    public TimeSpan TerminateGrace { get; set; } = ChildProcess.Grace;

    /// <summary>How long a child whose stdout ended has to exit by itself before it is terminated.</summary>
    public TimeSpan ExitGrace { get; set; } = ChildProcess.Grace;

    /// <summary>
    /// One run of <paramref name="command"/>, from start to reaped. <paramref name="consume"/> reads its stdout
    /// and returns how many frames it dropped as corrupt (for the log); when it returns, the child gets
    /// <see cref="ExitGrace"/> to exit by itself. Cancellation stops the child at once.
    /// </summary>
    /// <param name="previousReason">The reason of the last failed run: a start failure with the same reason is not logged again.</param>
    /// <param name="exitIsNormal">The child is expected to exit (a still tool): its exit is logged as information, not as a warning.</param>
    public async Task<ChildRunResult> RunAsync(
        IReadOnlyList<string> command,
        ILogger logger,
        TimeProvider time,
        Func<Stream, CancellationToken, Task<long>> consume,
        string? previousReason,
        bool exitIsNormal,
        CancellationToken cancellation)
    {
        Volatile.Write(ref _lastErrorLine, null);
        Interlocked.Increment(ref _attempts);
        ChildProcess child;
        try
        {
            child = ChildProcess.Start(command, plugin, logger, time, TerminateGrace);
        }
        catch (ChildStartException ex)
        {
            if (previousReason != ex.Message)
            {
                Log.StartFailed(logger, plugin, command[0], ex.Why);
            }

            return new ChildRunResult(false, -1, ex.Message);
        }

        var programName = child.ProgramName;
        int code;
        var dropped = 0L;
        await using (child.ConfigureAwait(false))
        {
            Interlocked.Increment(ref _starts);
            Volatile.Write(ref _childPid, child.Pid);
            Log.Started(logger, plugin, programName, child.Pid);
            try
            {
                dropped = await consume(child.StandardOutput, cancellation).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
            }
            catch (IOException ex)
            {
                Log.ReadFailed(logger, plugin, programName, ex.Message);
            }
            finally
            {
                // A child whose stdout ended gets a moment to exit by itself; a cancelled one is stopped at once.
                code = await child.StopAsync(cancellation.IsCancellationRequested ? TimeSpan.Zero : ExitGrace).ConfigureAwait(false);
                Volatile.Write(ref _childPid, 0);
                Volatile.Write(ref _lastErrorLine, child.LastErrorLine);
            }
        }

        if (cancellation.IsCancellationRequested)
        {
            Log.Stopped(logger, plugin, programName, code);
        }
        else if (exitIsNormal && code == 0)
        {
            Log.Finished(logger, plugin, programName);
        }
        else
        {
            Log.Exited(logger, plugin, programName, code, dropped);
        }

        return new ChildRunResult(true, code, $"child exited with code {code}");
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ChildProcessRunnerStarted, Level = LogLevel.Information, Message = "{Plugin}: started {Program} (pid {Pid})")]
        public static partial void Started(ILogger logger, string plugin, string program, int pid);

        [LoggerMessage(EventId = LogEvents.ChildProcessRunnerStartFailed, Level = LogLevel.Warning, Message = "{Plugin}: cannot start {Program}: {Reason}")]
        public static partial void StartFailed(ILogger logger, string plugin, string program, string reason);

        [LoggerMessage(EventId = LogEvents.ChildProcessRunnerExited, Level = LogLevel.Warning, Message = "{Plugin}: {Program} exited with code {ExitCode} ({Dropped} corrupt frames dropped)")]
        public static partial void Exited(ILogger logger, string plugin, string program, int exitCode, long dropped);

        [LoggerMessage(EventId = LogEvents.ChildProcessRunnerReadFailed, Level = LogLevel.Warning, Message = "{Plugin}: reading from {Program} failed: {Reason}")]
        public static partial void ReadFailed(ILogger logger, string plugin, string program, string reason);

        [LoggerMessage(EventId = LogEvents.ChildProcessRunnerStopped, Level = LogLevel.Information, Message = "{Plugin}: stopped {Program} (exit code {ExitCode})")]
        public static partial void Stopped(ILogger logger, string plugin, string program, int exitCode);

        [LoggerMessage(EventId = LogEvents.ChildProcessRunnerFinished, Level = LogLevel.Information, Message = "{Plugin}: {Program} finished")]
        public static partial void Finished(ILogger logger, string plugin, string program);
    }
}

/// <summary>How one run of a child ended: whether it started at all, its exit code, and the reason for the state.</summary>
internal readonly record struct ChildRunResult(bool Started, int ExitCode, string Reason);
