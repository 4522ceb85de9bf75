using MjpgStreamer.Core.Frames;

namespace MjpgStreamer.Core.Tests.Frames;

public sealed class FramePoolTests
{
    [Fact]
    public void A_released_frame_is_reused_without_a_new_buffer()
    {
        var pool = new FramePool();
        var first = pool.Rent(1000);
        first.Write(new byte[1000]);
        first.Release();
        var second = pool.Rent(500);
        Assert.Same(first, second);
        Assert.Equal(0, second.Length);
        second.Release();
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public void Releasing_more_often_than_acquired_is_caught()
    {
        var pool = new FramePool();
        var frame = pool.Rent();
        frame.Release();
        Assert.False(frame.TryAddRef());
        Assert.Throws<InvalidOperationException>(frame.Release);
    }

    [Fact]
    public void Append_grows_the_buffer_and_keeps_the_content()
    {
        var pool = new FramePool();
        var frame = pool.Rent(4);
        frame.Write([1, 2]);
        frame.Append(new byte[200_000]);
        frame.Append([3]);
        Assert.Equal(200_003, frame.Length);
        Assert.Equal(1, frame.Span[0]);
        Assert.Equal(3, frame.Span[^1]);
        frame.Release();
    }
}
