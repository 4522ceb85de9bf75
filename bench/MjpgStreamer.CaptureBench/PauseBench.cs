using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace MjpgStreamer.CaptureBench;

/// <summary>
/// `pause`: the server executable on the fake camera with one stream client; cycles of creating the lock
/// file (timed until the server has closed the device) and removing it (timed until the client gets a
/// camera frame newer than any before the pause). Every wait is bounded; the server always gets its SIGTERM.
/// </summary>
internal static class PauseBench
{
    /// <summary>Longest wait for any one step (a release, a first live frame) before the run fails.</summary>
    public static readonly TimeSpan StepBound = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(5);

    // 0.2 ms between looks at /proc/PID/fd: fine enough against the server's reaction to the lock file (inotify).
    private static readonly long DevicePollTicks = Stopwatch.Frequency / 5000;

    private const int ProgressEvery = 1000;

    public static async Task<int> RunAsync(PauseCommand command, TextWriter output, TextWriter error)
    {
        var library = Environment.GetEnvironmentVariable(CaptureBench.V4l2LibraryVariable);
        if (string.IsNullOrEmpty(library) || !Path.IsPathFullyQualified(library) || !File.Exists(library))
        {
            await error.WriteLineAsync($"error: pause needs {CaptureBench.V4l2LibraryVariable}=/abs/path/libfakecam.so (make -C tests/native/fakecam; see docs/testing.md)").ConfigureAwait(false);
            return 1;
        }

        if (!File.Exists(command.Exe))
        {
            await error.WriteLineAsync($"error: --exe {command.Exe}: no such file").ConfigureAwait(false);
            return 1;
        }

        using var cancel = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            // Unwind through the finally blocks, so the server is stopped and the temp folder removed.
            context.Cancel = true;
            cancel.Cancel();
        }

        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

        var folder = Directory.CreateTempSubdirectory("mjpg-pausebench-");
        var device = Path.Combine(folder.FullName, "video0");
        var lockFile = Path.Combine(folder.FullName, "paused.lock");
        var args = command.ServerArgs(device, lockFile);
        await output.WriteLineAsync($"server: {command.Exe} {CaptureBenchProgram.CommandLineText(args)}").ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{command.Cycles} cycles after {PauseCommand.WarmupCycles} warm-up cycles, settle {command.SettleMs} ms; one stream client; every step bounded by {StepBound.TotalSeconds:F0} s")).ConfigureAwait(false);

        ServerUnderTest? server = null;
        PauseStreamClient? client = null;
        var succeeded = false;
        try
        {
            server = ServerUnderTest.Start(command.Exe, args, ServerEnvironment(library, device));
            var port = await server.WaitForPortAsync(StartBound, cancel.Token).ConfigureAwait(false)
                ?? throw new PauseBenchException($"the server printed no \"listening on\" line within {StartBound.TotalSeconds:F0} s{(server.HasExited ? " (it exited)" : "")}");
            client = await PauseStreamClient.ConnectAsync(port, cancel.Token).ConfigureAwait(false);
            var run = new CycleRunner(command, server, client, device, lockFile, error, cancel.Token);
            var result = await Task.Factory.StartNew(run.Run, cancel.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            await output.WriteAsync(PauseReport.Format(command, result)).ConfigureAwait(false);
            succeeded = true;
            return 0;
        }
        catch (PauseBenchException ex)
        {
            await error.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            if (server is not null)
            {
                var log = server.LastLines();
                await error.WriteLineAsync(log.Length == 0 ? "server log: empty" : "server log, last lines:\n" + log).ConfigureAwait(false);
            }

            return 1;
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            await error.WriteLineAsync("error: interrupted").ConfigureAwait(false);
            return 1;
        }
        finally
        {
            client?.Dispose();
            if (server is not null)
            {
                var already = server.HasExited;
                var exit = await server.StopAsync(StopBound).ConfigureAwait(false);
                var line = exit is { } code
                    ? $"server {(already ? "had exited by itself" : "stopped by SIGTERM")}, exit code {code.ToString(CultureInfo.InvariantCulture)}"
                    : $"server did not exit within {StopBound.TotalSeconds:F0} s of SIGTERM: killed";
                await (succeeded ? output : error).WriteLineAsync(line).ConfigureAwait(false);
                await server.DisposeAsync().ConfigureAwait(false);
            }

            folder.Delete(recursive: true);
        }
    }

    /// <summary>The fake and this run's device; fault settings a caller may have exported are not passed on.</summary>
    internal static Dictionary<string, string?> ServerEnvironment(string library, string device)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var key in Environment.GetEnvironmentVariables().Keys.OfType<string>())
        {
            if (key.StartsWith("FAKECAM_", StringComparison.Ordinal))
            {
                environment[key] = null;
            }
        }

        environment[CaptureBench.V4l2LibraryVariable] = library;
        environment["FAKECAM_DEVICES"] = device;
        return environment;
    }

    /// <summary>The cycles, run on a thread of their own (the device poll spins between looks).</summary>
    private sealed class CycleRunner(
        PauseCommand command, ServerUnderTest server, PauseStreamClient client, string device, string lockFile, TextWriter progress, CancellationToken cancellation)
    {
        public PauseResult Run()
        {
            var start = Stopwatch.GetTimestamp();
            _ = WaitForNewer(0, -1, start, "the first camera frame after the start");
            if (!Holds())
            {
                throw new PauseBenchException($"the server streams but no descriptor of it points at {device} (is the temp folder behind a symlink?)");
            }

            for (var i = 1; i <= PauseCommand.WarmupCycles; i++)
            {
                _ = Cycle(-i);
            }

            var before = ProcessFigures.Of(server.Pid);
            var cycles = new List<PauseCycle>(command.Cycles);
            var measuredStart = Stopwatch.GetTimestamp();
            for (var i = 1; i <= command.Cycles; i++)
            {
                cycles.Add(Cycle(i));
                if (i % ProgressEvery == 0)
                {
                    progress.WriteLine(PauseReport.ProgressLine(i, command.Cycles, cycles, Stopwatch.GetElapsedTime(measuredStart)));
                }
            }

            var wall = Stopwatch.GetElapsedTime(measuredStart);
            var after = ProcessFigures.Of(server.Pid);
            if (client.Completion.IsCompleted)
            {
                throw new PauseBenchException("the stream client lost its connection by the end: " + Reason(client.Completion));
            }

            var (warnings, errors, first) = server.Problems;
            return new PauseResult(cycles, wall, before, after, StreamCheck.Of(client.Parts(), cycles), client.PictureSize ?? "n/a", warnings, errors, first);
        }

        /// <summary>One cycle; a negative number is a warm-up cycle (named so in errors).</summary>
        private PauseCycle Cycle(int number)
        {
            var name = number < 0 ? $"warm-up cycle {-number}" : $"cycle {number}";
            cancellation.ThrowIfCancellationRequested();
            if (!Holds())
            {
                throw new PauseBenchException($"{name}: the device was not held after a live frame");
            }

            var created = Stopwatch.GetTimestamp();
            File.WriteAllBytes(lockFile, []);
            var released = WaitUntilReleased(created)
                ?? throw new PauseBenchException($"{name}: the server still held {device} {StepBound.TotalSeconds:F0} s after the lock file was created");
            Settle();

            var (from, maxFrame) = client.Mark();
            var removed = Stopwatch.GetTimestamp();
            File.Delete(lockFile);
            var live = WaitForNewer(from, maxFrame, removed, $"{name}: a camera frame newer than {maxFrame.ToString(CultureInfo.InvariantCulture)} after the lock file was removed");
            Settle();
            return new PauseCycle(created, released, removed, live.Arrival);
        }

        private long? WaitUntilReleased(long created)
        {
            var deadline = created + (long)(StepBound.TotalSeconds * Stopwatch.Frequency);
            while (true)
            {
                var look = Stopwatch.GetTimestamp();
                if (!Holds())
                {
                    return Stopwatch.GetTimestamp();
                }

                if (look > deadline)
                {
                    return null;
                }

                while (Stopwatch.GetTimestamp() - look < DevicePollTicks)
                {
                    Thread.Yield();
                }
            }
        }

        private StreamPart WaitForNewer(int from, long above, long since, string what)
        {
            var deadline = since + (long)(StepBound.TotalSeconds * Stopwatch.Frequency);
            while (true)
            {
                if (client.FindNewer(from, above) is { } part)
                {
                    return part;
                }

                if (client.Completion.IsCompleted)
                {
                    throw new PauseBenchException($"the stream client lost its connection while waiting for {what}: {Reason(client.Completion)}");
                }

                var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
                if (left <= TimeSpan.Zero)
                {
                    throw new PauseBenchException($"no {what} within {StepBound.TotalSeconds:F0} s");
                }

                client.WaitForPart(left, cancellation);
            }
        }

        private bool Holds()
        {
            try
            {
                return ProcessFigures.Holds(server.Pid, device);
            }
            catch (DirectoryNotFoundException)
            {
                throw new PauseBenchException("the server exited");
            }
        }

        private void Settle()
        {
            if (cancellation.WaitHandle.WaitOne(command.SettleMs))
            {
                cancellation.ThrowIfCancellationRequested();
            }
        }

        private static string Reason(Task completion) =>
            completion.Exception?.GetBaseException().Message ?? "the connection ended";
    }
}
