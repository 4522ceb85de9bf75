using Microsoft.Extensions.Time.Testing;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Streaming;

namespace MjpgStreamer.Core.Tests.Streaming;

public sealed class LatestFrameHubTests
{
    private readonly FramePool _pool = new();
    private readonly LatestFrameHub _hub = new(new FakeTimeProvider());

    private Frame MakeFrame(byte marker)
    {
        var frame = _pool.Rent(16);
        frame.Write([0xFF, 0xD8, marker, 0xFF, 0xD9]);
        return frame;
    }

    [Fact]
    public async Task A_subscriber_gets_the_current_frame_then_each_new_one()
    {
        _hub.Publish(MakeFrame(1));
        using var subscriber = _hub.Subscribe(CancellationToken.None);

        var first = await subscriber.NextAsync();
        Assert.Equal(1, first!.Span[2]);
        first.Release();

        var pending = subscriber.NextAsync();
        Assert.False(pending.IsCompleted);
        _hub.Publish(MakeFrame(2));
        var second = await pending;
        Assert.Equal(2, second!.Span[2]);
        second.Release();
    }

    [Fact]
    public async Task A_slow_subscriber_skips_to_the_latest_frame_and_never_blocks_publishing()
    {
        using var slow = _hub.Subscribe(CancellationToken.None, startWithCurrent: false);
        for (byte i = 1; i <= 50; i++)
        {
            _hub.Publish(MakeFrame(i));
        }

        var frame = await slow.NextAsync();
        Assert.Equal(50, frame!.Span[2]);
        Assert.Equal(50, frame.Sequence);
        frame.Release();
    }

    [Fact]
    public async Task A_reader_that_may_not_run_inline_never_continues_on_the_publishing_thread()
    {
        // One such reader among a few stream-like ones: the others still run inline, it never does.
        using var worker = _hub.Subscribe(CancellationToken.None, startWithCurrent: false, mayRunInline: false);
        using var client = _hub.Subscribe(CancellationToken.None, startWithCurrent: false);
        async Task<int> ReadAsync(FrameSubscriber subscriber)
        {
            var frame = await subscriber.NextAsync().ConfigureAwait(false);
            frame!.Release();
            return Environment.CurrentManagedThreadId;
        }

        var workerRead = ReadAsync(worker);
        var clientRead = ReadAsync(client);
        var publisherId = 0;
        var publisher = new Thread(() =>
        {
            publisherId = Environment.CurrentManagedThreadId;
            _hub.Publish(MakeFrame(1));
        });
        publisher.Start();
        publisher.Join();

        Assert.Equal(publisherId, await clientRead);
        Assert.NotEqual(publisherId, await workerRead);
    }

    [Fact]
    public async Task The_last_few_waiting_readers_continue_on_the_publishing_thread_and_the_rest_on_the_pool()
    {
        const int readers = LatestFrameHub.InlineReaders + 3;
        var subscribers = Enumerable.Range(0, readers).Select(_ => _hub.Subscribe(CancellationToken.None, startWithCurrent: false)).ToArray();
        var finishedDuringPublish = 0;
        var publishing = false;
        // Each reader parks before Publish. ConfigureAwait(false): no synchronisation context (xUnit's would take every
        // continuation), as in the server.
        var reads = subscribers.Select(async subscriber =>
        {
            var frame = await subscriber.NextAsync().ConfigureAwait(false);
            frame!.Release();
            if (Volatile.Read(ref publishing))
            {
                Interlocked.Increment(ref finishedDuringPublish);
            }

            // A reader that continued on the publishing thread asks again at once: it parks for the next frame.
            var next = subscriber.NextAsync();
            return (Thread: Environment.CurrentManagedThreadId, ParkedAgain: !next.IsCompleted, Next: next);
        }).ToArray();

        var publisherId = 0;
        var publisher = new Thread(() =>
        {
            publisherId = Environment.CurrentManagedThreadId;
            Volatile.Write(ref publishing, true);
            _hub.Publish(MakeFrame(1));
            Volatile.Write(ref publishing, false);
        });
        publisher.Start();
        publisher.Join();
        var results = await Task.WhenAll(reads);

        Assert.Equal(LatestFrameHub.InlineReaders, results.Count(r => r.Thread == publisherId));
        Assert.True(finishedDuringPublish >= LatestFrameHub.InlineReaders);
        Assert.All(results.Where(r => r.Thread == publisherId), r => Assert.True(r.ParkedAgain));

        // Every reader, wherever it ran, gets the next frame.
        _hub.Publish(MakeFrame(2));
        foreach (var result in results)
        {
            var frame = await result.Next;
            Assert.Equal(2, frame!.Span[2]);
            frame.Release();
        }

        foreach (var subscriber in subscribers)
        {
            subscriber.Dispose();
        }
    }

    [Fact]
    public async Task Every_buffer_goes_back_to_the_pool_exactly_once()
    {
        using (var a = _hub.Subscribe(CancellationToken.None, startWithCurrent: false))
        using (var b = _hub.Subscribe(CancellationToken.None, startWithCurrent: false))
        {
            for (byte i = 1; i <= 20; i++)
            {
                var pa = a.NextAsync();
                var pb = b.NextAsync();
                _hub.Publish(MakeFrame(i));
                var fa = await pa;
                var fb = await pb;
                Assert.Same(fa, fb);
                fa!.Release();
                fb!.Release();
            }
        }

        // The hub still holds the newest frame (as current and as the last real one).
        Assert.Equal(1, _pool.Outstanding);
        _hub.Clear();
        Assert.Equal(0, _pool.Outstanding);
        Assert.Equal(_pool.Rented, _pool.Returned);
    }

    [Fact]
    public async Task Cancelling_a_waiting_subscriber_ends_its_wait()
    {
        using var cts = new CancellationTokenSource();
        using var subscriber = _hub.Subscribe(cts.Token);
        var pending = subscriber.NextAsync();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);
    }

    [Fact]
    public async Task Demand_counts_subscribers_and_wakes_sources_waiting_for_it()
    {
        var waiting = _hub.WaitForDemandAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        Assert.Equal(0, _hub.Demand);

        var subscriber = _hub.Subscribe(CancellationToken.None);
        Assert.Equal(1, _hub.Demand);
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));

        subscriber.Dispose();
        Assert.Equal(0, _hub.Demand);
    }

    [Fact]
    public void Placeholders_are_not_counted_as_captured_frames_and_not_kept_as_the_last_real_one()
    {
        _hub.Publish(MakeFrame(1));
        var placeholder = MakeFrame(9);
        placeholder.IsPlaceholder = true;
        _hub.Publish(placeholder);

        Assert.Equal(1, _hub.FramesPublished);
        Assert.Equal(2, _hub.Sequence);
        var lastReal = _hub.AcquireLastReal();
        Assert.Equal(1, lastReal!.Span[2]);
        lastReal.Release();
    }

    [Fact]
    public void The_size_is_read_from_the_jpeg_header()
    {
        var frame = _pool.Rent();
        frame.Write(TestJpegs.Header(320, 240));
        _hub.Publish(frame);
        var current = _hub.AcquireCurrent();
        Assert.Equal((320, 240), (current!.Width, current.Height));
        current.Release();
    }
}
