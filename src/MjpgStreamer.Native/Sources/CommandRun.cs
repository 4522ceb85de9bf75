using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Native.Interop;

namespace MjpgStreamer.Native.Sources;

/// <summary>
/// Runs a one-shot command (a still tool: rpicam-still, ffmpeg -frames:v 1, …) without a shell: stdin empty, stdout
/// kept (it may be the JPEG) or drained, stderr read for its last line. When <c>stop</c> fires (time limit, signal)
/// the command and everything it started get SIGTERM, and SIGKILL after <see cref="TerminateGrace"/>; it is always
/// reaped. Used by -still_command in the server and by "mjpg_streamer still --command".
/// </summary>
public static class CommandRun
{
    /// <summary>The most bytes kept from a command's stdout (a 64 MP JPEG is well under this).</summary>
    public const int MaxOutputBytes = 64 * 1024 * 1024;

    /// <summary>How long a stopped command has between SIGTERM and SIGKILL.</summary>
    public static readonly TimeSpan TerminateGrace = TimeSpan.FromSeconds(1);

    /// <summary>How a run ended. ExitCode is null when it was stopped; LastError is its last non-empty stderr line.</summary>
    public sealed record Outcome(int? ExitCode, byte[] Stdout, bool StdoutTooLarge, string? LastError);

    /// <summary>
    /// -still_command in the server: runs <paramref name="argv"/>, whose stdout is one JPEG, until it ends or
    /// <paramref name="cancellation"/> fires; any failure is a <see cref="StillFailedException"/> with one line.
    /// </summary>
    public static async Task<byte[]> RunStillAsync(IReadOnlyList<string> argv, CancellationToken cancellation)
    {
        var program = Path.GetFileName(argv[0]);
        Outcome outcome;
        try
        {
            outcome = await RunAsync(argv, keepStdout: true, cancellation).ConfigureAwait(false);
        }
        catch (CommandStartException e)
        {
            throw new StillFailedException(e.Message);
        }

        var said = outcome.LastError is null ? "" : ": " + outcome.LastError;
        return outcome switch
        {
            { ExitCode: null } => throw new StillFailedException($"{program} did not finish in time{said}"),
            { ExitCode: not 0 } => throw new StillFailedException($"{program} exited with {outcome.ExitCode}{said}"),
            { StdoutTooLarge: true } => throw new StillFailedException($"{program} wrote more than {MaxOutputBytes / (1024 * 1024)} MB"),
            _ when !JpegInfo.HasSoiAndEoi(outcome.Stdout) => throw new StillFailedException($"{program} wrote no JPEG to its standard output ({outcome.Stdout.Length} bytes){said}"),
            _ => outcome.Stdout,
        };
    }

    /// <summary>
    /// Starts <paramref name="argv"/> and waits until it exits and has closed its output, or <paramref name="stop"/>
    /// fires. Throws <see cref="CommandStartException"/> when it cannot start.
    /// </summary>
    public static async Task<Outcome> RunAsync(IReadOnlyList<string> argv, bool keepStdout, CancellationToken stop)
    {
        var start = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        foreach (var arg in argv.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new CommandStartException($"cannot start {argv[0]}: {Marshal.GetPInvokeErrorMessage(e.NativeErrorCode)}");
        }

        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
        }

        using var readers = new CancellationTokenSource();
        var stdout = ReadStdoutAsync(process.StandardOutput.BaseStream, keepStdout, readers.Token);
        var stderr = LastLineAsync(process.StandardError, readers.Token);
        var exited = process.WaitForExitAsync(CancellationToken.None);
        var stopped = false;
        try
        {
            // Done when it has exited and its output has ended (a child it left behind may still hold the pipes).
            await Task.WhenAll(exited, stdout, stderr).WaitAsync(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            stopped = !exited.IsCompleted;
            await TerminateAsync(process, exited).ConfigureAwait(false);

            // Give the readers a moment for the last words, then stop them.
            await Task.WhenAny(Task.WhenAll(stdout, stderr), Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System)).ConfigureAwait(false);
            await readers.CancelAsync().ConfigureAwait(false);
        }

        var (bytes, tooLarge) = await stdout.ConfigureAwait(false);
        var lastError = await stderr.ConfigureAwait(false);
        return new Outcome(stopped ? null : process.ExitCode, bytes, tooLarge, lastError);
    }

    /// <summary>Keeps up to <see cref="MaxOutputBytes"/> of stdout (or nothing), reading on to the end so the command never blocks.</summary>
    private static async Task<(byte[] Bytes, bool TooLarge)> ReadStdoutAsync(Stream stdout, bool keep, CancellationToken cancellationToken)
    {
        using var kept = new MemoryStream();
        var tooLarge = false;
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await stdout.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (!keep || tooLarge)
                {
                    continue;
                }

                if (kept.Length + read > MaxOutputBytes)
                {
                    tooLarge = true;
                    continue;
                }

                kept.Write(buffer, 0, read);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }

        return (kept.ToArray(), tooLarge);
    }

    private static async Task<string?> LastLineAsync(StreamReader stderr, CancellationToken cancellationToken)
    {
        string? last = null;
        try
        {
            while (await stderr.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (!string.IsNullOrWhiteSpace(line))
                {
                    last = line.Length > 300 ? line[..300] + "…" : line;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }

        return last is null ? null : OneLine(last);
    }

    /// <summary>
    /// SIGTERM to the command and its descendants (all stopped first, so none can start another process meanwhile),
    /// SIGKILL to whatever is left after the grace period; returns once the command is reaped.
    /// </summary>
    private static async Task TerminateAsync(Process process, Task exited)
    {
        var pid = process.Id;
        List<ProcessTree.ProcessId> descendants = [];
        if (!exited.IsCompleted)
        {
            descendants = ProcessTree.Freeze(pid);
            Signal(pid, LibcSignals.SigTerm);
            Signal(pid, LibcSignals.SigCont);

            // A command that made itself a process group leader (-pid names no group otherwise) may have members
            // that have left its tree.
            Signal(-pid, LibcSignals.SigTerm);
        }
        else
        {
            // It exited but left something holding its output: that is what is still running.
            descendants = [.. ProcessTree.Descendants(pid)];
        }

        foreach (var descendant in descendants.Where(ProcessTree.IsAlive))
        {
            Signal(descendant.Pid, LibcSignals.SigTerm);
            Signal(descendant.Pid, LibcSignals.SigCont);
        }

        var deadline = Stopwatch.GetTimestamp() + (long)(TerminateGrace.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline && !(exited.IsCompleted && descendants.TrueForAll(d => !ProcessTree.IsAlive(d))))
        {
            await Task.WhenAny(exited, Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System)).ConfigureAwait(false);
        }

        if (!exited.IsCompleted)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
            {
                // It exited in the meantime.
            }
        }

        foreach (var descendant in descendants.Where(ProcessTree.IsAlive))
        {
            Signal(descendant.Pid, LibcSignals.SigKill);
        }

        Signal(-pid, LibcSignals.SigKill);

        // SIGKILL cannot be ignored; only a process stuck in the kernel (a camera driver) takes longer.
        await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(5), TimeProvider.System)).ConfigureAwait(false);
    }

    private static void Signal(int pid, int signal) => _ = LibcSignals.Kill(pid, signal);

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
}

/// <summary>A command could not be started (not found, not executable); the message is one line.</summary>
public sealed class CommandStartException(string message) : Exception(message);
