using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Sources;

namespace MjpgStreamer.Native.Sources;

/// <summary>
/// Runs a one-shot command (a still tool: rpicam-still, ffmpeg -frames:v 1, …) as a <see cref="ChildProcess"/>: stdout
/// kept (it may be the JPEG) or drained, stderr logged and its last line kept. When <c>stop</c> fires (time limit,
/// signal) the command and everything it started are stopped as every child is. Used by -still_command in the server
/// and by "mjpg_streamer still --command".
/// </summary>
public static class CommandRun
{
    /// <summary>The most bytes kept from a command's stdout (a 64 MP JPEG is well under this).</summary>
    public const int MaxOutputBytes = 64 * 1024 * 1024;

    /// <summary>How a run ended. ExitCode is null when it was stopped; LastError is its last non-empty stderr line.</summary>
    public sealed record Outcome(int? ExitCode, byte[] Stdout, bool StdoutTooLarge, string? LastError);

    /// <summary>
    /// -still_command in the server: runs <paramref name="argv"/>, whose stdout is one JPEG, until it ends or
    /// <paramref name="cancellation"/> fires; any failure is a <see cref="StillFailedException"/> with one line.
    /// </summary>
    public static async Task<byte[]> RunStillAsync(IReadOnlyList<string> argv, ILogger logger, TimeProvider time, CancellationToken cancellation)
    {
        var program = Path.GetFileName(argv[0]);
        Outcome outcome;
        try
        {
            outcome = await RunAsync(argv, keepStdout: true, "-still_command", logger, time, cancellation).ConfigureAwait(false);
        }
        catch (ChildStartException e)
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
    /// fires. Throws <see cref="ChildStartException"/> when it cannot start.
    /// </summary>
    /// <param name="owner">Who runs it, for the log (-still_command, still).</param>
    /// <param name="environment">Variables added to the command's environment (output_file's MJPG_FILE).</param>
    public static async Task<Outcome> RunAsync(IReadOnlyList<string> argv, bool keepStdout, string owner, ILogger logger, TimeProvider time, CancellationToken stop, IReadOnlyDictionary<string, string>? environment = null)
    {
        var child = ChildProcess.Start(argv, owner, logger, time, environment: environment);
        await using (child.ConfigureAwait(false))
        {
            using var reader = new CancellationTokenSource();
            var stdout = ReadStdoutAsync(child.StandardOutput, keepStdout, reader.Token);
            var stopped = false;
            try
            {
                // Done when it has exited and its output has ended (a child it left behind may still hold the pipes).
                await Task.WhenAll(child.Exited, stdout, child.StandardErrorEnded).WaitAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                stopped = !child.Exited.IsCompleted;
            }

            var code = await child.StopAsync().ConfigureAwait(false);

            // Everything that held stdout is gone; the last bytes are read at once. The bound is for a process that
            // escaped the group and the tree (a daemon) and still holds it.
            await Task.WhenAny(stdout, Task.Delay(TimeSpan.FromMilliseconds(200), time, CancellationToken.None)).ConfigureAwait(false);
            await reader.CancelAsync().ConfigureAwait(false);
            var (bytes, tooLarge) = await stdout.ConfigureAwait(false);
            return new Outcome(stopped ? null : code, bytes, tooLarge, child.LastErrorLine);
        }
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
}
