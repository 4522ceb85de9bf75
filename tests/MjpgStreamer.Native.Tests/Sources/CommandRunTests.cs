using MjpgStreamer.Core.Sources;
using MjpgStreamer.Native.Sources;
using MjpgStreamer.Native.Tests.TestSupport;

namespace MjpgStreamer.Native.Tests.Sources;

/// <summary>-still_command's runs: one JPEG from stdout, or one line saying why not.</summary>
public sealed class CommandRunTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Jpeg_FromStdout()
    {
        var jpeg = await CommandRun.RunStillAsync(
            ["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=1", "-frames:v", "1", "-f", "mjpeg", "-"],
            new ListLogger(),
            TimeProvider.System,
            CancellationToken.None).WaitAsync(Bound);

        Assert.True(Core.Mjpeg.JpegInfo.HasSoiAndEoi(jpeg));
    }

    [Fact]
    public async Task FailingCommand_IsOneLine_WithItsLastWords_WhichAlsoReachTheLog()
    {
        var logger = new ListLogger();

        var error = await Assert.ThrowsAsync<StillFailedException>(() => CommandRun.RunStillAsync(
            ["sh", "-c", "echo 'opening camera' >&2; echo 'no camera' >&2; exit 2"], logger, TimeProvider.System, CancellationToken.None).WaitAsync(Bound));

        Assert.Equal("sh exited with 2: no camera", error.Message);
        Assert.Contains("sh: opening camera", logger.Warnings);
    }

    [Fact]
    public async Task HangingCommand_IsStopped_WithEverythingItStarted()
    {
        var logger = new ListLogger();
        using var limit = new CancellationTokenSource();
        var marker = $"3{Random.Shared.Next(100_000, 999_999)}.{Environment.ProcessId}";
        var run = CommandRun.RunStillAsync(
            ["sh", "-c", $"trap '' TERM; sleep {marker} & echo 'waiting for the sensor' >&2; while :; do sleep 0.05; done"], logger, TimeProvider.System, limit.Token);
        await ChildProcessTests.WaitUntil(() => logger.Warnings.Contains("sh: waiting for the sensor"));
        // The background child may still be a forked sh that has not exec'd sleep yet: wait for it to show.
        await ChildProcessTests.WaitUntil(() => Sleeping(marker).Count > 0);
        var started = Sleeping(marker);
        Assert.Single(started);

        await limit.CancelAsync();
        var error = await Assert.ThrowsAsync<StillFailedException>(() => run.WaitAsync(Bound));

        Assert.Equal("sh did not finish in time: waiting for the sensor", error.Message);
        Assert.Contains(logger.Warnings, w => w.StartsWith("-still_command: sh (pid ", StringComparison.Ordinal) && w.EndsWith("ignored SIGTERM, killing it", StringComparison.Ordinal));
        await ChildProcessTests.WaitUntil(() => !started.Any(ProcessTree.IsAlive));
    }

    [Fact]
    public async Task MissingProgram_IsOneLine()
    {
        var error = await Assert.ThrowsAsync<StillFailedException>(() => CommandRun.RunStillAsync(
            ["/nonexistent/still-tool"], new ListLogger(), TimeProvider.System, CancellationToken.None).WaitAsync(Bound));

        Assert.Equal("cannot start /nonexistent/still-tool: No such file or directory", error.Message);
    }

    /// <summary>The running sleeps with this (unique) argument.</summary>
    private static List<ProcessTree.ProcessId> Sleeping(string marker) =>
        [.. ProcessTree.Descendants(Environment.ProcessId).Where(p =>
        {
            try
            {
                return File.ReadAllText($"/proc/{p.Pid}/cmdline").Split('\0').Contains(marker);
            }
            catch (IOException)
            {
                return false;
            }
        })];
}
