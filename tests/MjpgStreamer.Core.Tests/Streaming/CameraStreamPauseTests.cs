using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;

namespace MjpgStreamer.Core.Tests.Streaming;

/// <summary>Pause and resume of one input, with a source that records when it holds its "device".</summary>
public sealed class CameraStreamPauseTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    /// <summary>Publishes one frame per run and then holds its device until cancelled.</summary>
    private sealed class RecordingSource : IFrameSource
    {
        private int _runs;
        private int _holding;

        public string DisplayName => "recording";

        public int Runs => Volatile.Read(ref _runs);

        public bool Holding => Volatile.Read(ref _holding) == 1;

        public async Task RunAsync(SourceContext context, CancellationToken cancellation)
        {
            var run = Interlocked.Increment(ref _runs);
            Volatile.Write(ref _holding, 1);
            try
            {
                var frame = context.RentFrame();
                frame.Write(TestJpegs.Header(320 + run, 240));
                frame.TimestampUs = run * 1_000_000L;
                context.Publish(frame);
                await Task.Delay(Timeout.Infinite, cancellation);
            }
            finally
            {
                Volatile.Write(ref _holding, 0);
            }
        }
    }

    /// <summary>Waits, bounded, for the input's state: a signal from SourceContext, not a poll.</summary>
    private static async Task WaitForAsync(CameraStream stream, InputState state)
    {
        using var bound = new CancellationTokenSource(Bound);
        await stream.Context.WaitForStateAsync(state, bound.Token);
    }

    private static CameraStream NewStream(RecordingSource source, TimeProvider time, PauseFrame mode = PauseFrame.Last) =>
        new(0, "input_test.so", "", source, time, NullLogger.Instance)
        {
            PauseFrame = mode,
            PausedPicture = (width, height) => TestJpegs.Header(width, height + 1000),
        };

    [Fact]
    public async Task Pause_StopsTheSource_ThenReleased_AndResume_RunsItAgain()
    {
        var source = new RecordingSource();
        await using var stream = NewStream(source, TimeProvider.System);
        stream.Start();
        await WaitForAsync(stream, InputState.Streaming);

        stream.SetPaused(true, "lock file /x");
        await WaitForAsync(stream, InputState.Released);
        Assert.False(source.Holding);
        Assert.Equal("lock file /x", stream.Context.Reason);
        Assert.NotNull(stream.PausedSince);

        stream.SetPaused(false, "");
        await WaitForAsync(stream, InputState.Streaming);
        Assert.Equal(2, source.Runs);
        Assert.True(source.Holding);
        Assert.Null(stream.PausedSince);
    }

    [Fact]
    public async Task WhilePaused_ClientsGetTheLastRealFrameAboutOnceASecond_AsPlaceholders()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20000));
        var source = new RecordingSource();
        await using var stream = NewStream(source, time);
        stream.Start();
        await WaitForAsync(stream, InputState.Streaming);
        using var watch = new CancellationTokenSource(Bound);
        using var subscriber = stream.Hub.Subscribe(watch.Token, startWithCurrent: false);

        stream.SetPaused(true, "test");
        await WaitForAsync(stream, InputState.Released);
        var received = new List<Frame>();
        for (var second = 0; second < 3; second++)
        {
            var next = subscriber.NextAsync().AsTask();
            if (second > 0)
            {
                Assert.False(next.IsCompleted);
                time.Advance(TimeSpan.FromSeconds(1));
            }

            received.Add((await next.WaitAsync(Bound))!);
        }

        Assert.All(received, f => Assert.True(f.IsPlaceholder));
        Assert.All(received, f => Assert.Equal((321, 240, 1_000_000L), (f.Width, f.Height, f.TimestampUs)));
        Assert.Equal(1, stream.Hub.FramesPublished);
        received.ForEach(f => f.Release());
    }

    [Fact]
    public async Task PlaceholderMode_SendsThePausedPicture()
    {
        var time = new FakeTimeProvider();
        var source = new RecordingSource();
        await using var stream = NewStream(source, time, PauseFrame.Placeholder);
        stream.Start();
        await WaitForAsync(stream, InputState.Streaming);
        using var watch = new CancellationTokenSource(Bound);
        using var subscriber = stream.Hub.Subscribe(watch.Token, startWithCurrent: false);

        stream.SetPaused(true, "test");
        var frame = (await subscriber.NextAsync().AsTask().WaitAsync(Bound))!;

        Assert.True(frame.IsPlaceholder);
        Assert.Equal(TestJpegs.Header(321, 1240), frame.Span.ToArray());
        Assert.Equal((321, 240), (frame.Width, frame.Height));
        frame.Release();
    }

    [Fact]
    public async Task PausedBeforeStart_NeverRunsTheSource()
    {
        var source = new RecordingSource();
        await using var stream = NewStream(source, TimeProvider.System);
        stream.SetPaused(true, "lock file present at start");
        stream.Start();

        await WaitForAsync(stream, InputState.Released);
        Assert.Equal(0, source.Runs);
    }
}
