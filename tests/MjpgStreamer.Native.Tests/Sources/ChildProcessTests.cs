using System.Globalization;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Native.Sources;
using MjpgStreamer.Native.Tests.TestSupport;

namespace MjpgStreamer.Native.Tests.Sources;

public sealed class ChildProcessTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    // Short, so the tests do not wait a whole second for SIGKILL; nothing asserts how long anything took.
    private static readonly TimeSpan ShortGrace = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task Child_RunsInAProcessGroupOfItsOwn()
    {
        var child = Start(["sleep", "30"], new ListLogger());
        await using (child)
        {
            Assert.Equal(child.Pid, ProcessGroup(child.Pid));
            Assert.NotEqual(child.Pid, ProcessGroup(Environment.ProcessId));
        }
    }

    [Fact]
    public async Task ChildThatIgnoresSigterm_IsKilledAfterTheGrace_AndReaped()
    {
        var logger = new ListLogger();
        var child = Start(["sh", "-c", "trap '' TERM; echo ready >&2; while :; do sleep 0.05; done"], logger);
        await using (child)
        {
            await WaitUntil(() => child.LastErrorLine == "ready");

            var code = await child.StopAsync().WaitAsync(Bound);

            Assert.Equal(128 + 9, code);
            Assert.Contains(logger.Warnings, w => w == $"test: sh (pid {child.Pid}) ignored SIGTERM, killing it");

            // Reaped: not even a zombie is left.
            Assert.False(Directory.Exists($"/proc/{child.Pid}"));
        }
    }

    [Fact]
    public async Task ChildThatHandlesSigterm_IsNotKilled()
    {
        var logger = new ListLogger();
        // A long grace: under load the shell may need a while to run its handler, and it must not be killed meanwhile.
        var child = ChildProcess.Start(["sh", "-c", "trap 'echo got TERM >&2; exit 7' TERM; echo ready >&2; while :; do sleep 0.05; done"], "test", logger, TimeProvider.System, TimeSpan.FromSeconds(10));
        await using (child)
        {
            await WaitUntil(() => child.LastErrorLine == "ready");

            var code = await child.StopAsync().WaitAsync(Bound);

            Assert.Equal(7, code);
            Assert.Equal("got TERM", child.LastErrorLine);
            Assert.DoesNotContain(logger.Warnings, w => w.Contains("killing it", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Stop_ReachesTheWholeProcessGroup()
    {
        var child = Start(["sh", "-c", "sleep 100 & wait"], new ListLogger());
        await using (child)
        {
            await WaitUntil(() => ProcessTree.GroupMembers(child.Pid).Count > 0);
            var grandchild = Assert.Single(ProcessTree.GroupMembers(child.Pid));

            await child.StopAsync().WaitAsync(Bound);

            await WaitUntil(() => !ProcessTree.IsAlive(grandchild));
            Assert.False(Directory.Exists($"/proc/{child.Pid}"));
        }
    }

    [Fact]
    public async Task Stop_AfterTheChildExited_EndsWhatItLeftInItsGroup()
    {
        // The shell exits at once; the sleep, no longer its child nor ours, is still in the group.
        var child = Start(["sh", "-c", "sleep 100 >/dev/null 2>&1 & echo started >&2"], new ListLogger());
        await using (child)
        {
            await child.Exited.WaitAsync(Bound);
            var orphan = Assert.Single(ProcessTree.GroupMembers(child.Pid));

            var code = await child.StopAsync().WaitAsync(Bound);

            Assert.Equal(0, code);
            await WaitUntil(() => !ProcessTree.IsAlive(orphan));
        }
    }

    [Fact]
    public async Task ChildThatExits_IsReaped_WithItsExitCode()
    {
        var child = Start(["sh", "-c", "exit 3"], new ListLogger());
        await using (child)
        {
            await child.Exited.WaitAsync(Bound);

            // Exited but not reaped yet: its pid (and group id) stay reserved until the stop.
            Assert.True(Directory.Exists($"/proc/{child.Pid}"));

            Assert.Equal(3, await child.StopAsync().WaitAsync(Bound));
            Assert.False(Directory.Exists($"/proc/{child.Pid}"));
        }
    }

    [Fact]
    public async Task StandardOutput_IsReadable_AndStdinIsEmpty()
    {
        var child = Start(["sh", "-c", "cat; printf 'a frame'"], new ListLogger());
        await using (child)
        {
            using var reader = new StreamReader(child.StandardOutput, leaveOpen: true);
            Assert.Equal("a frame", await reader.ReadToEndAsync().WaitAsync(Bound));
            Assert.Equal(0, await child.StopAsync(ChildProcess.Grace).WaitAsync(Bound));
        }
    }

    [Fact]
    public async Task StandardError_ReachesTheLog_AndABoundedTailIsKept()
    {
        var logger = new ListLogger();
        var child = Start(["sh", "-c", "i=1; while [ $i -le 30 ]; do echo \"problem $i\" >&2; i=$((i+1)); done; printf '\\n  \\n' >&2; exit 1"], logger);
        await using (child)
        {
            await child.StandardErrorEnded.WaitAsync(Bound);
            Assert.Equal(1, await child.StopAsync().WaitAsync(Bound));

            Assert.Contains("sh: problem 1", logger.Warnings);
            Assert.Contains("sh: problem 30", logger.Warnings);
            Assert.Equal(ChildProcess.TailLines, child.ErrorTail.Count);
            Assert.Equal($"problem {31 - ChildProcess.TailLines}", child.ErrorTail[0]);
            Assert.Equal("problem 30", child.ErrorTail[^1]);

            // Blank lines are no last words.
            Assert.Equal("problem 30", child.LastErrorLine);
        }
    }

    [Fact]
    public async Task StandardError_UrlPasswords_AreMaskedInTheLogTheTailAndTheLastLine()
    {
        var logger = new ListLogger();
        var child = Start(["sh", "-c", "echo \"Input #0, rtsp, from 'rtsp://admin:hunter2@cam/live':\" >&2; exit 1"], logger);
        await using (child)
        {
            await child.StandardErrorEnded.WaitAsync(Bound);
            Assert.Equal(1, await child.StopAsync().WaitAsync(Bound));

            const string Masked = "Input #0, rtsp, from 'rtsp://admin:***@cam/live':";
            Assert.Contains("sh: " + Masked, logger.Warnings);
            Assert.Equal([Masked], child.ErrorTail);
            Assert.Equal(Masked, child.LastErrorLine);
        }
    }

    [Fact]
    public void ProgramThatCannotStart_IsAOneLineError()
    {
        var missing = Assert.Throws<ChildStartException>(() => Start(["/nonexistent/camera-helper"], new ListLogger()));
        var notInPath = Assert.Throws<ChildStartException>(() => Start(["no-such-program-here"], new ListLogger()));

        Assert.Equal("cannot start /nonexistent/camera-helper: No such file or directory", missing.Message);
        Assert.Equal("cannot start no-such-program-here: No such file or directory", notInPath.Message);
        Assert.Equal("No such file or directory", missing.Why);
    }

    private static ChildProcess Start(string[] argv, ILogger logger) =>
        ChildProcess.Start(argv, "test", logger, TimeProvider.System, ShortGrace);

    /// <summary>Field 5 of /proc/PID/stat.</summary>
    private static int ProcessGroup(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[2], CultureInfo.InvariantCulture);
    }

    internal static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(20);
        }
    }
}
