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
