using System.Diagnostics;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Sources.Raspicam;

namespace MjpgStreamer.Native.Tests.Sources.Raspicam;

/// <summary>input_raspicam against stand-in rpicam programs (see <see cref="FakeRpicam"/>), in-process.</summary>
[Collection(nameof(CameraThreadCounting))]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RaspicamSourceTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Streams_RpicamVidsMjpeg_WithTheMappedArguments()
    {
        using var fake = new FakeRpicam();
        var source = Source(fake, " -x 320 -y 240 -fps 15 -br 60");
        await using var run = new Run(source);
        using var subscriber = run.Context.Hub.Subscribe(CancellationToken.None);

        for (var i = 0; i < 3; i++)
        {
            var frame = await NextFrame(subscriber);
            Assert.True(JpegInfo.TryReadSize(frame.Span, out var width, out var height));
            Assert.Equal((320, 240), (width, height));
            frame.Release();
        }

        Assert.Equal(InputState.Streaming, run.Context.State);
        var argv = Assert.Single(fake.Runs());
        Assert.Equal(["rpicam-vid", .. source.VideoArguments], argv);
        Assert.Contains("--brightness", argv);
        Assert.True(run.Logger.Contains(LogLevel.Information, "input_raspicam: rpicam-vid --codec mjpeg -o - --nopreview -t 0"));
    }

    [Fact]
    public async Task FallsBackToLibcameraVid()
    {
        using var fake = new FakeRpicam(videoName: "libcamera-vid");
        await using var run = new Run(Source(fake, " -x 320 -y 240 -fps 15"));

        await WaitUntil(() => run.Context.Hub.FramesPublished > 0);

        Assert.Equal("libcamera-vid", Assert.Single(fake.Runs())[0]);
    }

    [Fact]
    public async Task NeitherProgram_IsNoSignal_RetriedWithoutACameraThread()
    {
        using var fake = new FakeRpicam(videoName: "");
        var source = Source(fake, " -drc high", initialBackoff: 10);
        await using var run = new Run(source);

        await WaitUntil(() => run.Context.State == InputState.NoSignal);
        await WaitUntil(() => source.Attempts >= 4);

        Assert.Equal("rpicam-vid not found", run.Context.Reason);
        Assert.False(run.Task.IsCompleted);
        Assert.Equal(0, CameraThreads());
        Assert.Single(run.Logger.Entries, e => e.Message.Contains("neither rpicam-vid nor libcamera-vid", StringComparison.Ordinal));
        Assert.Single(run.Logger.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith("input_raspicam: -drc high", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnsupportedOptions_AreWarnedAboutOnce_EvenAcrossPauses()
    {
        using var fake = new FakeRpicam(videoName: "");
        var source = Source(fake, " -vs -drc low", initialBackoff: 10);
        var logger = new CapturingLogger();
        var context = new SourceContext(0, new LatestFrameHub(TimeProvider.System), new FramePool(), logger);
        for (var i = 0; i < 3; i++)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
            await source.RunAsync(context, stop.Token).WaitAsync(Bound);
        }

        Assert.Single(logger.Entries, e => e.Message.StartsWith("input_raspicam: -vs:", StringComparison.Ordinal));
        Assert.Single(logger.Entries, e => e.Message.StartsWith("input_raspicam: -drc low:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RpicamVidThatExits_IsRestarted_WithItsLastErrorAsTheReason()
    {
        using var fake = new FakeRpicam(videoExtra: "echo 'ERROR: *** failed to start camera ***' >&2; exit 255");
        var source = Source(fake, "", initialBackoff: 10);
        await using var run = new Run(source);

        await WaitUntil(() => source.Starts >= 3);

        Assert.Equal(InputState.NoSignal, run.Context.State);
        Assert.Equal("child exited with code 255: ERROR: *** failed to start camera ***", run.Context.Reason);
        Assert.False(run.Task.IsCompleted);
    }

    [Fact]
    public async Task TheCameraThread_ExistsOnlyWhileRpicamVidRuns()
    {
        using var fake = new FakeRpicam();
        var source = Source(fake, " -x 320 -y 240 -fps 15");
        await using var stream = new CameraStream(0, "input_raspicam.so", "", source, TimeProvider.System, new CapturingLogger());
        Assert.Equal(0, CameraThreads());
        stream.Start();
        await WaitUntil(() => stream.Context.State == InputState.Streaming);
        Assert.Equal(1, CameraThreads());
        var child = source.ChildProcessId;
        Assert.NotEqual(0, child);

        stream.SetPaused(true, "test");
        await WaitUntil(() => stream.Context.State == InputState.Released);

        // Released means rpicam-vid is reaped and its thread gone: the fork's script may use the camera now.
        Assert.Equal(0, CameraThreads());
        Assert.False(Directory.Exists($"/proc/{child}"));

        stream.SetPaused(false, "");
        await WaitUntil(() => stream.Context.State == InputState.Streaming);
        Assert.Equal(1, CameraThreads());
        Assert.Equal(2, source.Starts);
    }

    [Fact]
    public async Task TheCameraThread_IsGoneDuringBackoff()
    {
        using var fake = new FakeRpicam(videoExtra: "exit 1");
        var source = Source(fake, "", initialBackoff: 60_000);
        await using var run = new Run(source);

        await WaitUntil(() => run.Context.State == InputState.NoSignal);

        Assert.Equal(1, source.Starts);
        Assert.Equal(0, CameraThreads());
    }

    [Fact]
    public async Task TheForksWaitLoop_EndsOncePaused()
    {
        using var fake = new FakeRpicam();
        var source = Source(fake, " -x 320 -y 240 -fps 15");
        await using var stream = new CameraStream(0, "input_raspicam.so", "", source, TimeProvider.System, new CapturingLogger());
        stream.Start();
        await WaitUntil(() => stream.Context.State == InputState.Streaming);
        var child = source.ChildProcessId;
        var pid = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);

        // before-snapshot.sh's test, as the script runs it.
        Assert.Equal(0, await Shell($"ps -T -p {pid} | grep -q input_raspicam"));

        stream.SetPaused(true, "lock file");
        Assert.Equal(0, await Shell($"while ps -T -p {pid} | grep -q input_raspicam; do sleep 0.01; done"));

        Assert.False(Directory.Exists($"/proc/{child}"), "rpicam-vid still exists when the wait loop ended");
    }

    [Fact]
    public async Task Still_StopsTheStream_RunsRpicamStill_ReturnsItsJpeg_AndTheStreamComesBack()
    {
        using var fake = new FakeRpicam();
        var source = Source(fake, " -x 320 -y 240 -fps 15 -still 400x300 -still_args \"-q 95\" -hf");
        await using var run = new Run(source);
        await WaitUntil(() => run.Context.State == InputState.Streaming);
        var published = run.Context.Hub.FramesPublished;

        var jpeg = await source.CaptureStillAsync(CancellationToken.None).WaitAsync(Bound);

        Assert.True(JpegInfo.HasSoiAndEoi(jpeg));
        Assert.True(JpegInfo.TryReadSize(jpeg, out var width, out var height));
        Assert.Equal((400, 300), (width, height));
        var runs = fake.Runs();
        Assert.Equal(["rpicam-still", "-o", "-", "--immediate", "--nopreview", "--verbose", "0", "--width", "400", "--height", "300", "--hflip", "-q", "95"], runs[1]);
        Assert.Equal(["rpicam-still", .. source.StillArguments], runs[1]);
        await WaitUntil(() => source.Starts == 2 && run.Context.State == InputState.Streaming && run.Context.Hub.FramesPublished > published + 2);
        Assert.Equal("rpicam-vid", fake.Runs()[2][0]);
        Assert.True(run.Logger.Contains(LogLevel.Information, "input 0: still taking a still"));
    }

    [Fact]
    public async Task Still_WithoutSize_LetsRpicamStillChoose()
    {
        using var fake = new FakeRpicam();
        var source = Source(fake, " -x 320 -y 240 -fps 15");
        await using var run = new Run(source);
        await WaitUntil(() => run.Context.State == InputState.Streaming);

        var jpeg = await source.CaptureStillAsync(CancellationToken.None).WaitAsync(Bound);

        Assert.True(JpegInfo.TryReadSize(jpeg, out var width, out _));
        Assert.Equal(800, width);
        Assert.DoesNotContain("--width", fake.Runs()[1]);
    }

    [Fact]
    public async Task Still_ToolThatFails_IsAStillFailure_WithItsLastWords_AndTheStreamComesBack()
    {
        using var fake = new FakeRpicam(stillMode: "fail");
        var source = Source(fake, " -x 320 -y 240 -fps 15");
        await using var run = new Run(source);
        await WaitUntil(() => run.Context.State == InputState.Streaming);

        var error = await Assert.ThrowsAsync<StillFailedException>(() => source.CaptureStillAsync(CancellationToken.None).WaitAsync(Bound));

        Assert.Equal("rpicam-still failed (exit code 255): ERROR: *** no cameras available ***", error.Message);
        await WaitUntil(() => source.Starts == 2 && run.Context.State == InputState.Streaming);
    }

    [Fact]
    public async Task Still_ToolThatHangs_IsKilled_AndAStillFailureWithinTheBound()
    {
        using var fake = new FakeRpicam(stillMode: "hang");
        // 3 s: long enough for the hanging tool to have said why (its stderr) even on a loaded machine.
        var source = Source(fake, " -x 320 -y 240 -fps 15", stillTimeout: 3000, terminateGrace: 200);
        await using var run = new Run(source);
        await WaitUntil(() => run.Context.State == InputState.Streaming);

        var error = await Assert.ThrowsAsync<StillFailedException>(() => source.CaptureStillAsync(CancellationToken.None).WaitAsync(Bound));

        Assert.Equal("rpicam-still did not finish within 3 s: waiting for the sensor", error.Message);
        Assert.True(run.Logger.Contains(LogLevel.Warning, "rpicam-still (pid"));
        await WaitUntil(() => source.Starts == 2 && run.Context.State == InputState.Streaming);
    }

    [Fact]
    public async Task Still_ThatIsNotAJpeg_IsAStillFailure()
    {
        using var fake = new FakeRpicam(stillMode: "garbage");
        var source = Source(fake, " -x 320 -y 240 -fps 15");
        await using var run = new Run(source);
        await WaitUntil(() => run.Context.State == InputState.Streaming);

        var error = await Assert.ThrowsAsync<StillFailedException>(() => source.CaptureStillAsync(CancellationToken.None).WaitAsync(Bound));

        Assert.StartsWith("rpicam-still did not write a JPEG", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Still_WhilePaused_IsRefused()
    {
        using var fake = new FakeRpicam();
        var source = Source(fake, " -x 320 -y 240 -fps 15");
        await using var stream = new CameraStream(0, "input_raspicam.so", "", source, TimeProvider.System, new CapturingLogger());
        stream.Start();
        await WaitUntil(() => stream.Context.State == InputState.Streaming);
        stream.SetPaused(true, "test");
        await WaitUntil(() => stream.Context.State == InputState.Released);

        var error = await Assert.ThrowsAsync<StillFailedException>(() => source.CaptureStillAsync(CancellationToken.None));

        Assert.Equal("the input is paused", error.Message);
        Assert.Single(fake.Runs());
    }

    [Fact]
    public async Task Still_DuringBackoff_RunsAtOnce()
    {
        using var fake = new FakeRpicam(videoExtra: "exit 1");
        var source = Source(fake, "", initialBackoff: 60_000);
        await using var run = new Run(source);
        await WaitUntil(() => run.Context.State == InputState.NoSignal);

        var jpeg = await source.CaptureStillAsync(CancellationToken.None).WaitAsync(Bound);

        Assert.True(JpegInfo.HasSoiAndEoi(jpeg));
        await WaitUntil(() => source.Starts == 2);
    }

    private static RaspicamSource Source(FakeRpicam fake, string args, int initialBackoff = 500, int stillTimeout = 15_000, int terminateGrace = 1000)
    {
        var parsed = RaspicamOptionMapTests.Parse(args);
        return new RaspicamSource(parsed.Settings)
        {
            SearchPath = fake.Bin,
            InitialBackoff = TimeSpan.FromMilliseconds(initialBackoff),
            MaxBackoff = TimeSpan.FromMilliseconds(Math.Max(initialBackoff, 100)),
            StillTimeout = TimeSpan.FromMilliseconds(stillTimeout),
            TerminateGrace = TimeSpan.FromMilliseconds(terminateGrace),
        };
    }

    /// <summary>Threads of this process that the fork's script would see.</summary>
    private static int CameraThreads() =>
        Directory.GetDirectories("/proc/self/task").Count(task =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == RaspicamSource.ThreadName;
            }
            catch (IOException)
            {
                return false;
            }
        });

    private static async Task<int> Shell(string script)
    {
        using var process = Process.Start(new ProcessStartInfo("sh") { ArgumentList = { "-c", script }, UseShellExecute = false })!;
        await process.WaitForExitAsync().WaitAsync(Bound);
        return process.ExitCode;
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
            await Task.Delay(10);
        }
    }

    private sealed class Run : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();

        public Run(IFrameSource source)
        {
            Context = new SourceContext(0, new LatestFrameHub(TimeProvider.System), new FramePool(), Logger);
            Task = source.RunAsync(Context, _stop.Token);
        }

        public CapturingLogger Logger { get; } = new();

        public SourceContext Context { get; }

        public Task Task { get; }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Task.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(0, CameraThreads());
            Context.Hub.Clear();
            _stop.Dispose();
        }
    }
}
