using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Jpeg;
using MjpgStreamer.Native.Sources;

namespace MjpgStreamer.Native.Tests.Sources;

public sealed class TestPatternSourceTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource _stop = new();
    private readonly FramePool _pool = new();

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    [Fact]
    public async Task WithASubscriber_PublishesFramesOfTheConfiguredSizeInOrder()
    {
        var context = NewContext(TimeProvider.System);
        var source = new TestPatternSource(160, 120, 30, 70);
        var run = source.RunAsync(context, _stop.Token);
        using var subscriber = context.Hub.Subscribe(_stop.Token);
        using var decoder = new JpegDecoder();

        var pictures = new List<byte[]>();
        long lastSequence = 0;
        long lastTimestamp = 0;
        for (var i = 0; i < 4; i++)
        {
            var frame = await NextAsync(subscriber);
            Assert.True(decoder.TryReadHeader(frame.Span, out var width, out var height));
            Assert.Equal((160, 120), (width, height));
            Assert.Equal((160, 120), (frame.Width, frame.Height));
            Assert.True(frame.Sequence > lastSequence);
            Assert.True(frame.TimestampUs > lastTimestamp);
            Assert.False(frame.IsPlaceholder);
            pictures.Add(decoder.DecodeToRgb(frame.Span, out _, out _));
            lastSequence = frame.Sequence;
            lastTimestamp = frame.TimestampUs;
            frame.Release();
        }

        // The moving marker and the frame counter change the picture from frame to frame.
        Assert.NotEqual(pictures[0], pictures[^1]);
        Assert.Equal(InputState.Streaming, context.State);
        var wallClock = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        Assert.InRange(lastTimestamp, wallClock - 60_000_000, wallClock + 1_000_000);
        Assert.Equal(TestPatternSource.ThreadName, source.WorkerThread?.Name);
        Assert.True(source.WorkerThread?.IsBackground);

        await _stop.CancelAsync();
        await run.WaitAsync(Bound);
    }

    [Fact]
    public async Task JpegQualityControl_SetsTheQualityOfTheNextFrames_AndRefusesOtherCommands()
    {
        var context = NewContext(TimeProvider.System);
        var source = new TestPatternSource(320, 240, 30, 80);
        var control = Assert.Single(source.Controls);
        Assert.Equal(("JPEG quality", 1, CommandGroups.JpegQuality, 80L, 80L), (control.Name, control.Id, control.Group, control.Default, control.Value));

        var run = source.RunAsync(context, _stop.Token);
        using var subscriber = context.Hub.Subscribe(_stop.Token);
        var before = await NextAsync(subscriber);
        var sizeBefore = before.Length;
        before.Release();

        Assert.Equal(0, await source.ExecuteCommandAsync(new CommandRequest(1, 5, CommandGroups.JpegQuality, 0, 0, null), CancellationToken.None));
        Assert.Equal(5L, source.Controls[0].Value);
        Assert.Equal(-1, await source.ExecuteCommandAsync(new CommandRequest(1, 0, CommandGroups.JpegQuality, 0, 0, null), CancellationToken.None));
        Assert.Equal(-1, await source.ExecuteCommandAsync(new CommandRequest(9963776, 5, CommandGroups.V4l2, 0, 0, null), CancellationToken.None));

        // A frame encoded at quality 5 is much smaller than at 80 (the frame after the next: one may have been encoding).
        (await NextAsync(subscriber)).Release();
        var after = await NextAsync(subscriber);
        Assert.True(after.Length < sizeBefore / 2, $"{after.Length} bytes at quality 5, {sizeBefore} at 80");
        after.Release();

        await _stop.CancelAsync();
        await run.WaitAsync(Bound);
    }

    [Fact]
    public async Task WithoutSubscribers_PublishesNothing_ThenStartsWhenSomeoneWatches()
    {
        var context = NewContext(TimeProvider.System);
        var source = new TestPatternSource(160, 120, 30, 70);
        var run = source.RunAsync(context, _stop.Token);

        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Equal(0, context.Hub.Sequence);
        Assert.Equal(0, _pool.Rented);
        Assert.False(run.IsCompleted);

        using (var subscriber = context.Hub.Subscribe(_stop.Token))
        {
            var frame = await NextAsync(subscriber);
            frame.Release();
        }

        await _stop.CancelAsync();
        await run.WaitAsync(Bound);
    }

    [Fact]
    public async Task Pacing_FirstFrameAtOnce_NextOnlyWhenItIsDue_NoBurstAfterAStall()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var context = NewContext(time);
        var source = new TestPatternSource(64, 48, 1, 70);
        var run = source.RunAsync(context, _stop.Token);
        using var subscriber = context.Hub.Subscribe(_stop.Token);

        // The fake clock stands still: frame 0 is due at once, frame 1 not before one (fake) second.
        var first = await NextAsync(subscriber);
        Assert.Equal(time.GetUtcNow().ToUnixTimeMilliseconds() * 1000, first.TimestampUs);
        first.Release();
        var second = subscriber.NextAsync().AsTask();
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.False(second.IsCompleted);

        // Ten seconds late: one frame for the newest slot, not ten frames to catch up.
        time.Advance(TimeSpan.FromSeconds(10));
        var late = await second.WaitAsync(Bound) ?? throw new InvalidOperationException("no frame");
        Assert.Equal(first.Sequence + 1, late.Sequence);
        late.Release();
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.Equal(late.Sequence, context.Hub.Sequence);

        await _stop.CancelAsync();
        await run.WaitAsync(Bound);
    }

    [Fact]
    public async Task Cancellation_WhileStreaming_EndsRunAndItsThread_AndReturnsEveryFrame()
    {
        var context = NewContext(TimeProvider.System);
        var source = new TestPatternSource(320, 240, 5, 70);
        var run = source.RunAsync(context, _stop.Token);
        var subscriber = context.Hub.Subscribe(_stop.Token);
        var frame = await NextAsync(subscriber);
        frame.Release();

        await _stop.CancelAsync();
        await run.WaitAsync(Bound);
        subscriber.Dispose();

        Assert.True(run.IsCompletedSuccessfully);
        Assert.True(source.WorkerThread!.Join(Bound));
        context.Hub.Clear();
        Assert.Equal(0, _pool.Outstanding);
    }

    [Fact]
    public async Task Cancellation_WhileIdle_EndsRunAndItsThread()
    {
        var context = NewContext(TimeProvider.System);
        var source = new TestPatternSource(160, 120, 30, 70);
        var run = source.RunAsync(context, _stop.Token);
        await Eventually(() => source.WorkerThread is { IsAlive: true });

        await _stop.CancelAsync();
        await run.WaitAsync(Bound);

        Assert.True(run.IsCompletedSuccessfully);
        Assert.True(source.WorkerThread!.Join(Bound));
        Assert.Equal(0, context.Hub.Sequence);
    }

    [Fact]
    public void Plugin_DescribesItself()
    {
        var plugin = TestPatternSource.Plugin;

        Assert.Equal("input_testpattern.so", plugin.Name);
        Assert.Equal("Test pattern input plugin", plugin.DisplayName);
        Assert.Contains("Help for input plugin..: Test pattern input plugin", plugin.Help, StringComparison.Ordinal);
        Assert.Contains("[-r | --resolution ]", plugin.Help, StringComparison.Ordinal);
        Assert.Contains("[-f | --fps ]", plugin.Help, StringComparison.Ordinal);
        Assert.Contains("[-q | --quality ]", plugin.Help, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_Defaults()
    {
        var source = Create();

        Assert.Equal((640, 480, 30, 80), (source.Width, source.Height, source.Fps, source.Quality));
        Assert.Equal("Test pattern input plugin", source.DisplayName);
    }

    [Theory]
    [InlineData("-r VGA", 640, 480, 30, 80)]
    [InlineData("-r 320x240", 320, 240, 30, 80)]
    [InlineData("--resolution=HD -f 5 -q 50", 1280, 720, 5, 50)]
    [InlineData("-res QVGA -fps 120 -quality 100", 320, 240, 120, 100)]
    [InlineData("-f 1 -q 1", 640, 480, 1, 1)]
    public void Options_AreParsed(string args, int width, int height, int fps, int quality)
    {
        var source = Create(args.Split(' '));

        Assert.Equal((width, height, fps, quality), (source.Width, source.Height, source.Fps, source.Quality));
    }

    [Theory]
    [InlineData("-q 0")]
    [InlineData("-q 101")]
    [InlineData("-q high")]
    [InlineData("-f 0")]
    [InlineData("-f 121")]
    [InlineData("-r 640")]
    [InlineData("-r bogus")]
    [InlineData("-x 1")]
    [InlineData("-q")]
    public void Options_BadValues_AreUsageErrors(string args)
    {
        Assert.Throws<UsageException>(() => Create(args.Split(' ')));
    }

    [Fact]
    public void Options_Help_IsRequested()
    {
        var help = Assert.Throws<HelpRequestedException>(() => Create("--help"));

        Assert.Equal(TestPatternSource.Plugin.Help, help.HelpText);
    }

    private static TestPatternSource Create(params string[] words)
    {
        var plugin = TestPatternSource.Plugin;
        var parsed = PluginOptionParser.Parse(plugin.Name, words, plugin.Options, plugin.Help);
        var source = plugin.Create(parsed, new PluginEnvironment(TimeProvider.System, NullLoggerFactory.Instance));
        return Assert.IsType<TestPatternSource>(source);
    }

    private SourceContext NewContext(TimeProvider time) =>
        new(0, new LatestFrameHub(time), _pool, NullLogger.Instance);

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not come true in time");
            await Task.Delay(10);
        }
    }

    private static async Task<Frame> NextAsync(FrameSubscriber subscriber) =>
        await subscriber.NextAsync().AsTask().WaitAsync(Bound) ?? throw new InvalidOperationException("no frame");
}
