using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Sources;

namespace MjpgStreamer.Native.Tests.Sources;

public sealed class ExecSourceTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private static readonly string[] Ffmpeg = ["ffmpeg", "-nostdin", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=15"];

    [Fact]
    public void Options_ResolutionAndCommand()
    {
        var source = Parse(" -r 640x480 -- ffmpeg -f v4l2 -i /dev/video0 -r 5 -f mjpeg -");

        Assert.Equal(["ffmpeg", "-f", "v4l2", "-i", "/dev/video0", "-r", "5", "-f", "mjpeg", "-"], source.Command);
        Assert.Equal((640, 480), source.ExpectedResolution);
        Assert.Equal("EXEC input plugin", source.DisplayName);
    }

    [Fact]
    public void Options_QuotedArgumentStaysOneWord()
    {
        var source = Parse(" -- sh -c \"ffmpeg -i x -f mjpeg - | cat\"");

        Assert.Equal(["sh", "-c", "ffmpeg -i x -f mjpeg - | cat"], source.Command);
        Assert.Null(source.ExpectedResolution);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" -r VGA")]
    [InlineData(" -r VGA --")]
    public void Options_NoCommand_IsAUsageError(string args)
    {
        var error = Assert.Throws<UsageException>(() => Parse(args));

        Assert.Equal("input_exec.so: a command is needed after --", error.Message);
    }

    [Fact]
    public void Options_HelpNamesTheOptions()
    {
        var help = Assert.Throws<HelpRequestedException>(() => Parse(" --help"));

        Assert.Contains("EXEC input plugin", help.HelpText, StringComparison.Ordinal);
        Assert.Contains("--resolution", help.HelpText, StringComparison.Ordinal);
        Assert.Contains("-- PROGRAM", help.HelpText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ffmpeg_BackToBackJpegs_ArePublished()
    {
        var run = Run(new ExecSource([.. Ffmpeg, "-f", "mjpeg", "-"]));
        using var subscriber = run.Context.Hub.Subscribe(run.Cancellation.Token);

        for (var i = 0; i < 3; i++)
        {
            var frame = await NextFrame(subscriber);
            try
            {
                Assert.True(JpegInfo.IsWellFormed(frame.Span));
                Assert.True(JpegInfo.TryReadSize(frame.Span, out var width, out var height));
                Assert.Equal((320, 240), (width, height));
                Assert.True(frame.TimestampUs > 0);
            }
            finally
            {
                frame.Release();
            }
        }

        Assert.Equal(InputState.Streaming, run.Context.State);
        await run.DisposeAsync();
        Assert.Equal(0, run.Context.Pool.Outstanding);
    }

    [Fact]
    public async Task Ffmpeg_Multipart_IsPublished()
    {
        await using var run = Run(new ExecSource([.. Ffmpeg, "-f", "mpjpeg", "-"]));
        using var subscriber = run.Context.Hub.Subscribe(run.Cancellation.Token);

        for (var i = 0; i < 3; i++)
        {
            var frame = await NextFrame(subscriber);
            Assert.True(JpegInfo.TryReadSize(frame.Span, out var width, out var height));
            Assert.Equal((320, 240), (width, height));
            frame.Release();
        }

        Assert.Equal(0, ((ExecSource)run.Source).CorruptFrames);
    }

    [Fact]
    public async Task ChildThatExits_IsRestarted_AndFramesKeepComing()
    {
        var source = new ExecSource(["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=15", "-frames:v", "3", "-f", "mjpeg", "-"])
        {
            InitialBackoff = TimeSpan.FromMilliseconds(20),
            MaxBackoff = TimeSpan.FromMilliseconds(100),
        };
        await using var run = Run(source);

        await WaitUntil(() => source.Starts >= 3 && run.Context.Hub.FramesPublished > 6);

        Assert.True(run.Logger.Contains(LogLevel.Warning, "ffmpeg exited with code 0"));
        Assert.True(run.Logger.Contains(LogLevel.Information, "no_signal child exited with code 0"));
        Assert.False(run.Task.IsCompleted);
    }

    [Fact]
    public async Task ProgramNotFound_IsNoSignal_AndRetried()
    {
        var source = new ExecSource(["/nonexistent/camera-helper", "-x"])
        {
            InitialBackoff = TimeSpan.FromMilliseconds(10),
            MaxBackoff = TimeSpan.FromMilliseconds(20),
        };
        await using var run = Run(source);

        await WaitUntil(() => run.Context.State == InputState.NoSignal);

        Assert.StartsWith("cannot start /nonexistent/camera-helper", run.Context.Reason, StringComparison.Ordinal);
        Assert.Equal(0, source.Starts);
        Assert.False(run.Task.IsCompleted);

        // Retried quietly: the failure is logged once, not per attempt.
        await WaitUntil(() => source.Attempts >= 4);
        Assert.Single(run.Logger.Entries, e => e.Message.Contains("cannot start", StringComparison.Ordinal) && e.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task StandardError_IsLoggedLineByLine()
    {
        var source = new ExecSource(["sh", "-c", "echo first problem >&2; echo second problem >&2; exit 3"])
        {
            InitialBackoff = TimeSpan.FromSeconds(30),
        };
        await using var run = Run(source);

        await WaitUntil(() => run.Context.State == InputState.NoSignal);

        Assert.Equal("child exited with code 3", run.Context.Reason);
        await WaitUntil(() => run.Logger.Contains(LogLevel.Warning, "sh: second problem"));
        Assert.True(run.Logger.Contains(LogLevel.Warning, "sh: first problem"));
        Assert.True(run.Logger.Contains(LogLevel.Warning, "sh exited with code 3"));
    }

    [Fact]
    public async Task Cancellation_KillsAChildThatIgnoresSigterm_AndItsChildren()
    {
        var source = new ExecSource(["sh", "-c", "trap '' TERM; while :; do sleep 0.1; done"]);
        var run = Run(source);
        await WaitUntil(() => source.ChildProcessId != 0);
        var pid = source.ChildProcessId;
        await WaitUntil(() => ProcessTree.Descendants(pid).Count > 0);
        Assert.True(Directory.Exists($"/proc/{pid}"));

        await run.DisposeAsync();

        // RunAsync finished only after the child was killed and reaped: not even a zombie is left.
        Assert.False(Directory.Exists($"/proc/{pid}"));
        Assert.Empty(ProcessTree.Descendants(pid));
        Assert.True(run.Logger.Contains(LogLevel.Warning, "ignored SIGTERM, killing it"));
        Assert.Equal(0, source.ChildProcessId);
    }

    [Fact]
    public async Task Cancellation_SendsSigtermFirst()
    {
        var source = new ExecSource(["sh", "-c", "trap 'echo got TERM >&2; exit 0' TERM; while :; do sleep 0.05; done"]);
        var run = Run(source);
        await WaitUntil(() => source.ChildProcessId != 0);
        var pid = source.ChildProcessId;

        await run.DisposeAsync();

        Assert.False(Directory.Exists($"/proc/{pid}"));
        Assert.True(run.Logger.Contains(LogLevel.Warning, "sh: got TERM"));
        Assert.False(run.Logger.Contains(LogLevel.Warning, "killing it"));
    }

    [Fact]
    public async Task ChildThatClosesStdoutButLingers_IsStoppedAndRestarted()
    {
        var marker = UniqueSleep();
        var source = new ExecSource(["sh", "-c", $"exec >&-; sleep {marker}"])
        {
            ExitGrace = TimeSpan.FromMilliseconds(100),
            InitialBackoff = TimeSpan.FromMilliseconds(10),
        };
        var run = Run(source);
        await WaitUntil(() => source.ChildProcessId != 0);
        var first = source.ChildProcessId;

        await WaitUntil(() => source.Starts >= 2);

        Assert.False(Directory.Exists($"/proc/{first}"));
        Assert.Equal(InputState.NoSignal, run.Context.State);
        await run.DisposeAsync();
        Assert.Empty(ProcessesWith(marker));
    }

    [Fact]
    public async Task Cancellation_LeavesNoOrphans_EvenWhenTheChildKeepsForking()
    {
        var marker = UniqueSleep();
        var source = new ExecSource(["sh", "-c", $"while :; do sleep {marker} & sleep 0.02; done"]);
        var run = Run(source);
        await WaitUntil(() => ProcessesWith(marker).Count >= 5);

        await run.DisposeAsync();

        Assert.Empty(ProcessesWith(marker));
    }

    [Fact]
    public async Task ChildWritingGarbage_ProducesNoFramesAndNoCrash()
    {
        var source = new ExecSource(["head", "-c", "3000000", "/dev/urandom"])
        {
            InitialBackoff = TimeSpan.FromMilliseconds(10),
        };
        var run = Run(source);

        await WaitUntil(() => source.Starts >= 2);

        Assert.Equal(0, run.Context.Hub.FramesPublished);
        Assert.False(run.Task.IsCompleted);
        Assert.Equal("child exited with code 0", run.Context.Reason);
        await run.DisposeAsync();
        Assert.Equal(0, run.Context.Pool.Outstanding);
    }

    /// <summary>A sleep duration no other process uses, to find the processes a test started.</summary>
    private static string UniqueSleep() => $"3{Random.Shared.Next(100_000, 999_999)}.{Environment.ProcessId}";

    private static List<int> ProcessesWith(string argument)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (int.TryParse(Path.GetFileName(dir), out var pid)
                    && File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0').Contains(argument)
                    && ProcessTree.TryReadStat(pid, out _, out _))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
            }
        }

        return found;
    }

    private static ExecSource Parse(string args)
    {
        var plugin = ExecSource.Plugin;
        var options = PluginOptionParser.Parse(plugin.Name, ArgumentSplitter.SplitWords(args), plugin.Options, plugin.Help);
        return (ExecSource)plugin.Create(options, new PluginEnvironment(TimeProvider.System, NullLoggerFactory.Instance));
    }

    private static SourceRun Run(ExecSource source)
    {
        var logger = new CapturingLogger();
        var context = new SourceContext(0, new LatestFrameHub(TimeProvider.System), new FramePool(), logger);
        var cancellation = new CancellationTokenSource();
        return new SourceRun(source, context, logger, cancellation, source.RunAsync(context, cancellation.Token));
    }

    private static async Task<Frame> NextFrame(FrameSubscriber subscriber)
    {
        var frame = await subscriber.NextAsync().AsTask().WaitAsync(Bound);
        Assert.NotNull(frame);
        return frame;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(20);
        }
    }

    private sealed record SourceRun(IFrameSource Source, SourceContext Context, CapturingLogger Logger, CancellationTokenSource Cancellation, Task Task)
        : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (Task.IsCompleted && Cancellation.IsCancellationRequested)
            {
                return;
            }

            await Cancellation.CancelAsync();

            // SIGTERM, 1 s grace, SIGKILL: well within this bound.
            await Task.WaitAsync(TimeSpan.FromSeconds(5));
            Context.Hub.Clear();
            Cancellation.Dispose();
        }
    }
}
