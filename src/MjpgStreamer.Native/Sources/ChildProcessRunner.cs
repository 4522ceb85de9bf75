using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Native.Interop;

namespace MjpgStreamer.Native.Sources;

/// <summary>
/// Runs child programs for the sources that read a program's stdout (input_exec, input_raspicam): starts one
/// without a shell, logs its stderr line by line, hands its stdout to a consumer, and makes sure it is gone
/// (SIGTERM to it and its descendants, SIGKILL after the grace period, always reaped) before a run ends.
/// </summary>
internal sealed partial class ChildProcessRunner(string plugin)
{
    private long _starts;
    private int _childPid;
    private string? _lastErrorLine;

    /// <summary>How many children were started.</summary>
    public long Starts => Interlocked.Read(ref _starts);

    /// <summary>The running child's pid, 0 while none runs.</summary>
    public int ChildProcessId => Volatile.Read(ref _childPid);

    /// <summary>The last non-empty line the latest child wrote to stderr (null if none).</summary>
    public string? LastErrorLine => Volatile.Read(ref _lastErrorLine);

    /// <summary>How long the child has between SIGTERM and SIGKILL.</summary>
    public TimeSpan TerminateGrace { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a child whose stdout ended has to exit by itself before it is terminated.</summary>
    public TimeSpan ExitGrace { get; set; } = TimeSpan.FromSeconds(1);

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
        var programName = Path.GetFileName(command[0]);
        var startInfo = new ProcessStartInfo(command[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        for (var i = 1; i < command.Count; i++)
        {
            startInfo.ArgumentList.Add(command[i]);
        }

        Volatile.Write(ref _lastErrorLine, null);
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            var why = ex is Win32Exception { NativeErrorCode: var errno } ? Marshal.GetPInvokeErrorMessage(errno) : ex.Message;
            var reason = $"cannot start {command[0]}: {why}";
            if (previousReason != reason)
            {
                Log.StartFailed(logger, plugin, command[0], why);
            }

            return new ChildRunResult(false, -1, reason);
        }

        Interlocked.Increment(ref _starts);
        Volatile.Write(ref _childPid, process.Id);
        Log.Started(logger, plugin, programName, process.Id);

        // Nothing to say to the child; closing stdin tells one that reads it so.
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
        }

        using var stderrStop = new CancellationTokenSource();
        var stderr = LogStandardErrorAsync(process.StandardError, logger, programName, stderrStop.Token);
        var dropped = 0L;
        try
        {
            dropped = await consume(process.StandardOutput.BaseStream, cancellation).ConfigureAwait(false);
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
            await StopChildAsync(process, logger, time, programName, gentle: !cancellation.IsCancellationRequested).ConfigureAwait(false);
            Volatile.Write(ref _childPid, 0);

            // The child is gone; its last words (often the reason it failed) may still be in the pipe.
            await Task.WhenAny(stderr, Task.Delay(TimeSpan.FromMilliseconds(500), time)).ConfigureAwait(false);
            await stderrStop.CancelAsync().ConfigureAwait(false);
            await stderr.ConfigureAwait(false);
        }

        var code = process.ExitCode;
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

    private async Task LogStandardErrorAsync(StreamReader stderr, ILogger logger, string programName, CancellationToken cancellation)
    {
        try
        {
            while (await stderr.ReadLineAsync(cancellation).ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                var shown = line.Length > 1000 ? line[..1000] + "…" : line;
                Volatile.Write(ref _lastErrorLine, shown);
                Log.ChildSaid(logger, programName, shown);
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
    private async Task StopChildAsync(Process process, ILogger logger, TimeProvider time, string programName, bool gentle)
    {
        var exited = process.WaitForExitAsync(CancellationToken.None);
        if (gentle && await CompletesWithin(exited, ExitGrace, time).ConfigureAwait(false))
        {
            process.WaitForExit();
            return;
        }

        if (!exited.IsCompleted)
        {
            var pid = process.Id;
            var descendants = ProcessTree.Freeze(pid);
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
                Log.Killing(logger, plugin, programName, pid);
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
            Log.StillRunning(logger, plugin, programName, process.Id);
            await exited.ConfigureAwait(false);
        }

        process.WaitForExit();
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
        [LoggerMessage(EventId = 1500, Level = LogLevel.Information, Message = "{Plugin}: started {Program} (pid {Pid})")]
        public static partial void Started(ILogger logger, string plugin, string program, int pid);

        [LoggerMessage(EventId = 1501, Level = LogLevel.Warning, Message = "{Plugin}: cannot start {Program}: {Reason}")]
        public static partial void StartFailed(ILogger logger, string plugin, string program, string reason);

        [LoggerMessage(EventId = 1502, Level = LogLevel.Warning, Message = "{Plugin}: {Program} exited with code {ExitCode} ({Dropped} corrupt frames dropped)")]
        public static partial void Exited(ILogger logger, string plugin, string program, int exitCode, long dropped);

        [LoggerMessage(EventId = 1503, Level = LogLevel.Warning, Message = "{Program}: {Line}")]
        public static partial void ChildSaid(ILogger logger, string program, string line);

        [LoggerMessage(EventId = 1504, Level = LogLevel.Warning, Message = "{Plugin}: {Program} (pid {Pid}) ignored SIGTERM, killing it")]
        public static partial void Killing(ILogger logger, string plugin, string program, int pid);

        [LoggerMessage(EventId = 1505, Level = LogLevel.Error, Message = "{Plugin}: {Program} (pid {Pid}) does not die even after SIGKILL; waiting for it")]
        public static partial void StillRunning(ILogger logger, string plugin, string program, int pid);

        [LoggerMessage(EventId = 1506, Level = LogLevel.Warning, Message = "{Plugin}: reading from {Program} failed: {Reason}")]
        public static partial void ReadFailed(ILogger logger, string plugin, string program, string reason);

        [LoggerMessage(EventId = 1509, Level = LogLevel.Information, Message = "{Plugin}: stopped {Program} (exit code {ExitCode})")]
        public static partial void Stopped(ILogger logger, string plugin, string program, int exitCode);

        [LoggerMessage(EventId = 1510, Level = LogLevel.Information, Message = "{Plugin}: {Program} finished")]
        public static partial void Finished(ILogger logger, string plugin, string program);
    }
}

/// <summary>How one run of a child ended: whether it started at all, its exit code, and the reason for the state.</summary>
internal readonly record struct ChildRunResult(bool Started, int ExitCode, string Reason);
