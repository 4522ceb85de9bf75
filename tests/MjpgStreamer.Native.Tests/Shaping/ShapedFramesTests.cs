using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Jpeg;
using MjpgStreamer.Native.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace MjpgStreamer.Native.Tests.Shaping;

/// <summary>
/// ShapedFrames: one worker and one encode per frame per shape however many readers it has; the last reader leaving
/// stops the worker (no more encodes, scaler freed) and a new reader starts it again; different shapes, different workers.
/// </summary>
public sealed class ShapedFramesTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();
    private readonly LatestFrameHub _source;
    private readonly FramePool _pool = new();
    private readonly CountingScalers _scalers;
    private readonly CancellationTokenSource _cancel = new();

    public ShapedFramesTests()
    {
        _source = new LatestFrameHub(_time);
        _scalers = new CountingScalers(_time);
    }

    public void Dispose()
    {
        _cancel.Dispose();
        _source.Clear();
    }

    private ShapedFrames NewShapes() => new(_source, _scalers.Create, _time, new ListLogger());

    private void PublishSource(long timestamp, bool placeholder = false, int length = 100)
    {
        var frame = _pool.Rent();
        frame.Write(new byte[length]);
        frame.Width = 1920;
        frame.Height = 1080;
        frame.TimestampUs = timestamp;
        frame.IsPlaceholder = placeholder;
        _source.Publish(frame);
    }

    private static async Task<Frame> NextAsync(FrameSubscriber subscriber)
    {
        var frame = await subscriber.NextAsync().AsTask().WaitAsync(Bound);
        Assert.NotNull(frame);
        return frame;
    }

    [Fact]
    public async Task TwoReadersOfOneShape_CostOneEncodePerSourceFrame()
    {
        await using var shapes = NewShapes();
        var shape = ShapeKey.ForWidth(480, 70);
        using var lease1 = shapes.Acquire(shape);
        using var lease2 = shapes.Acquire(shape);
        Assert.Same(lease1.Hub, lease2.Hub);
        Assert.Equal(1, shapes.RunningWorkers);
        using var reader1 = lease1.Hub.Subscribe(_cancel.Token);
        using var reader2 = lease2.Hub.Subscribe(_cancel.Token);
        await Eventually.UntilAsync(() => _source.Demand == 1, () => $"the worker subscribed (demand {_source.Demand})");

        for (var i = 1; i <= 5; i++)
        {
            PublishSource(i);
            foreach (var reader in new[] { reader1, reader2 })
            {
                var frame = await NextAsync(reader);
                Assert.Equal(i, frame.TimestampUs);
                Assert.Equal((480, 270), (frame.Width, frame.Height));
                frame.Release();
            }
        }

        Assert.Equal(5, _scalers.Calls);
        Assert.Equal(1, _scalers.Created);
        var stats = Assert.Single(shapes.GetStats());
        Assert.Equal(shape, stats.Shape);
        Assert.Equal(2, stats.Readers);
        Assert.Equal(5, stats.FramesEncoded);
        Assert.Equal(0, stats.Failures);
        Assert.Equal(CountingScalers.Cost.TotalMilliseconds, stats.LastMs);
        Assert.Equal(CountingScalers.Cost.TotalMilliseconds, stats.MeanMs);
        Assert.Equal((480, 270), (stats.Width, stats.Height));
    }

    [Fact]
    public async Task AShapeWithARate_ScalesOnlyTheFramesDue()
    {
        // 30 fps in, a 10 fps shape: every third frame is scaled, the others are never decoded.
        await using var shapes = NewShapes();
        using var lease = shapes.Acquire(ShapeKey.ForWidth(480, 70).WithFps(10));
        using var reader = lease.Hub.Subscribe(_cancel.Token);
        await Eventually.UntilAsync(() => _source.Demand == 1, () => "the worker subscribed");

        var received = new List<long>();
        var start = _time.GetUtcNow();
        for (var i = 0; i < 30; i++)
        {
            PublishSource(i);
            // The worker takes each frame before the next comes (scaled, or counted as not due).
            var taken = i + 1;
            await Eventually.UntilAsync(() => shapes.GetStats()[0] is var s && s.FramesEncoded + s.FramesNotDue == taken, () => $"the worker took frame {taken - 1}: {shapes.GetStats()[0]}");
            if (shapes.GetStats()[0].FramesEncoded > received.Count)
            {
                var frame = await NextAsync(reader);
                received.Add(frame.TimestampUs);
                frame.Release();
            }

            // The next frame 1/30 s after this one's (the fake scaler's cost moved the clock a little meanwhile).
            _time.Advance(start + TimeSpan.FromSeconds((i + 1) / 30.0) - _time.GetUtcNow());
        }

        Assert.Equal([0, 3, 6, 9, 12, 15, 18, 21, 24, 27], received);
        Assert.Equal(10, _scalers.Calls);
        Assert.Equal(20, shapes.GetStats()[0].FramesNotDue);
        Assert.Equal("w480 q70 10fps", lease.Shape.ToString());
    }

    [Fact]
    public async Task AShapeWhoseReadersLeft_StopsEncoding_AndANewReaderRestartsIt()
    {
        await using var shapes = NewShapes();
        var shape = ShapeKey.ForScale(4, 70);
        var lease = shapes.Acquire(shape);
        var reader = lease.Hub.Subscribe(_cancel.Token);
        await Eventually.UntilAsync(() => _source.Demand == 1, () => "the worker subscribed");
        PublishSource(1);
        (await NextAsync(reader)).Release();
        reader.Dispose();
        lease.Dispose();

        await Eventually.UntilAsync(() => shapes.RunningWorkers == 0, () => $"the worker stopped ({shapes.RunningWorkers} running)");
        Assert.Equal(0, _source.Demand);
        Assert.Equal(1, _scalers.Disposed);
        Assert.Empty(shapes.GetStats());
        for (var i = 2; i <= 4; i++)
        {
            PublishSource(i);
        }

        Assert.Equal(1, _scalers.Calls);

        // A new reader: a new worker, which starts with the source's current frame.
        using var again = shapes.Acquire(shape);
        using var reader2 = again.Hub.Subscribe(_cancel.Token);
        var frame = await NextAsync(reader2);
        Assert.Equal(4, frame.TimestampUs);
        frame.Release();
        Assert.Equal(2, _scalers.Created);
        Assert.Equal(2, _scalers.Calls);
        Assert.Equal(1, Assert.Single(shapes.GetStats()).FramesEncoded);
    }

    [Fact]
    public async Task DifferentShapes_HaveSeparateWorkers()
    {
        await using var shapes = NewShapes();
        using var small = shapes.Acquire(ShapeKey.ForWidth(480, 70));
        using var lower = shapes.Acquire(ShapeKey.ForWidth(480, 50));
        using var half = shapes.Acquire(ShapeKey.ForScale(2, 70));
        Assert.NotSame(small.Hub, lower.Hub);
        Assert.Equal(3, shapes.RunningWorkers);
        using var r1 = small.Hub.Subscribe(_cancel.Token);
        using var r2 = lower.Hub.Subscribe(_cancel.Token);
        using var r3 = half.Hub.Subscribe(_cancel.Token);
        await Eventually.UntilAsync(() => _source.Demand == 3, () => $"three workers subscribed (demand {_source.Demand})");

        PublishSource(1);
        var sizes = new List<(int, int)>();
        foreach (var reader in new[] { r1, r2, r3 })
        {
            var frame = await NextAsync(reader);
            sizes.Add((frame.Width, frame.Height));
            frame.Release();
        }

        Assert.Equal([(480, 270), (480, 270), (960, 540)], sizes);
        Assert.Equal(3, _scalers.Calls);
        Assert.Equal(3, _scalers.Created);
        Assert.All(shapes.GetStats(), stats => Assert.Equal(1, stats.FramesEncoded));

        lower.Dispose();
        await Eventually.UntilAsync(() => shapes.RunningWorkers == 2, () => $"one worker stopped ({shapes.RunningWorkers} running)");
        Assert.Equal(2, shapes.GetStats().Count);
    }

    [Fact]
    public async Task BadFramesAreCountedAndSkipped_PlaceholdersAreScaled_NeverOnThePublishingThread()
    {
        await using var shapes = NewShapes();
        using var lease = shapes.Acquire(ShapeKey.ForWidth(480, 70));
        using var reader = lease.Hub.Subscribe(_cancel.Token);
        await Eventually.UntilAsync(() => _source.Demand == 1, () => "the worker subscribed");

        var publisher = 0;
        var capture = new Thread(() =>
        {
            publisher = Environment.CurrentManagedThreadId;
            PublishSource(1, length: CountingScalers.BadLength);
        });
        capture.Start();
        capture.Join();
        await Eventually.UntilAsync(() => lease.Stats.Failures == 1, () => "the bad frame was counted");

        var placeholderThread = new Thread(() => PublishSource(2, placeholder: true));
        placeholderThread.Start();
        placeholderThread.Join();
        var frame = await NextAsync(reader);
        Assert.Equal(2, frame.TimestampUs);
        Assert.True(frame.IsPlaceholder);
        Assert.Equal(480, frame.Width);
        frame.Release();

        Assert.Equal(1, lease.Stats.FramesEncoded);
        Assert.DoesNotContain(publisher, _scalers.Threads);
        Assert.DoesNotContain(placeholderThread.ManagedThreadId, _scalers.Threads);
    }

    [Fact]
    public async Task EveryFrame_GoesBackToItsPool_OnceReadersAndWorkersAreGone()
    {
        var shapePool = new FramePool();
        var shapes = new ShapedFrames(_source, _scalers.Create, _time, new ListLogger(), shapePool);
        var lease = shapes.Acquire(ShapeKey.ForWidth(480, 70));
        var reader = lease.Hub.Subscribe(_cancel.Token);
        await Eventually.UntilAsync(() => _source.Demand == 1, () => "the worker subscribed");
        for (var i = 1; i <= 3; i++)
        {
            PublishSource(i);
            (await NextAsync(reader)).Release();
        }

        PublishSource(4, length: CountingScalers.BadLength);
        await Eventually.UntilAsync(() => lease.Stats.Failures == 1, () => "the bad frame was counted");
        reader.Dispose();
        lease.Dispose();
        await shapes.DisposeAsync();
        _source.Clear();

        Assert.Equal(0, shapes.RunningWorkers);
        Assert.Equal(4, shapePool.Rented);
        Assert.Equal(0, shapePool.Outstanding);
        Assert.Equal(0, _pool.Outstanding);
        Assert.Throws<ObjectDisposedException>(() => shapes.Acquire(ShapeKey.ForWidth(480, 70)));
    }

    [Fact]
    public async Task WithJpegScaler_A1080pCameraGives480x270Frames()
    {
        var source = JpegScalerTests.FullHd("yuvj422p");
        await using var shapes = new ShapedFrames(_source, () => new JpegScaler(), TimeProvider.System, new ListLogger());
        using var lease = shapes.Acquire(ShapeKey.ForWidth(480, 70));
        using var reader = lease.Hub.Subscribe(_cancel.Token);
        await Eventually.UntilAsync(() => _source.Demand == 1, () => "the worker subscribed");

        var input = _pool.Rent();
        input.Write(source);
        input.TimestampUs = 1234;
        _source.Publish(input);
        var frame = await NextAsync(reader);
        Assert.Equal(1234, frame.TimestampUs);
        Assert.Equal((480, 270), (frame.Width, frame.Height));
        using (var decoder = new JpegDecoder())
        {
            Assert.True(decoder.TryReadHeader(frame.Span, out var width, out var height));
            Assert.Equal((480, 270), (width, height));
        }

        frame.Release();
        Assert.Equal(1, lease.Stats.FramesEncoded);
        Assert.True(lease.Stats.MeanMs > 0);
    }

    /// <summary>Fake scalers: count instances and calls, record their threads, cost <see cref="Cost"/> of fake time each.</summary>
    private sealed class CountingScalers(FakeTimeProvider time)
    {
        public const int BadLength = 1;
        public static readonly TimeSpan Cost = TimeSpan.FromMilliseconds(5);
        private readonly FakeTimeProvider _time = time;
        private readonly System.Collections.Concurrent.ConcurrentBag<int> _threads = [];
        private int _created;
        private int _disposed;
        private int _calls;

        public int Created => Volatile.Read(ref _created);

        public int Disposed => Volatile.Read(ref _disposed);

        public int Calls => Volatile.Read(ref _calls);

        public IReadOnlyCollection<int> Threads => [.. _threads];

        public IFrameScaler Create()
        {
            Interlocked.Increment(ref _created);
            return new Scaler(this);
        }

        private sealed class Scaler(CountingScalers owner) : IFrameScaler
        {
            public bool TryScale(ReadOnlySpan<byte> jpeg, ShapeKey shape, Frame destination, out string? reason)
            {
                Interlocked.Increment(ref owner._calls);
                owner._threads.Add(Environment.CurrentManagedThreadId);
                owner._time.Advance(Cost);
                if (jpeg.Length == BadLength)
                {
                    reason = "not a JPEG";
                    return false;
                }

                var plan = shape.PlanFor(1920, 1080);
                destination.Write(jpeg[..10]);
                destination.Width = plan.Width;
                destination.Height = plan.Height;
                reason = null;
                return true;
            }

            public void Dispose() => Interlocked.Increment(ref owner._disposed);
        }
    }
}
