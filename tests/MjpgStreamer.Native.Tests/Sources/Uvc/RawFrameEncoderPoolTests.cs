using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Jpeg;
using MjpgStreamer.Native.Sources.Uvc;
using MjpgStreamer.Native.Tests.TestSupport;

namespace MjpgStreamer.Native.Tests.Sources.Uvc;

public sealed class RawFrameEncoderPoolTests
{
    private static byte[] Yuyv(int width, int height, byte luma)
    {
        var packed = new byte[width * height * 2];
        for (var i = 0; i < packed.Length; i += 2)
        {
            packed[i] = luma;
            packed[i + 1] = 128;
        }

        return packed;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task SubmittedFrames_ArePublishedAsJpegs_InOrder_WithTheirTimestamps(int workers)
    {
        var hub = new LatestFrameHub(TimeProvider.System);
        var pool = new FramePool();
        var context = new SourceContext(0, hub, pool, new ListLogger());
        using var watch = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var subscriber = hub.Subscribe(watch.Token);
        using var encoder = new RawFrameEncoderPool(context, workers, 80, "test");
        encoder.Configure(new RawFrameEncoderPool.RawFrameFormat(RawPixelLayout.Yuyv, 320, 240, 640));

        var published = 0;
        for (var i = 1; i <= 20; i++)
        {
            if (encoder.TrySubmit(Yuyv(320, 240, (byte)(i * 10)), i, 1_000_000L * i))
            {
                published++;
            }

            if (i % 4 == 0)
            {
                encoder.WaitIdle();
            }
        }

        encoder.WaitIdle();
        Assert.True(published >= 5, $"{published} of 20 accepted");
        var frame = await subscriber.NextAsync();
        Assert.NotNull(frame);
        Assert.True(JpegInfo.IsWellFormed(frame.Span));
        Assert.Equal((320, 240), (frame.Width, frame.Height));
        Assert.True(frame.TimestampUs >= 1_000_000 && frame.TimestampUs % 1_000_000 == 0);
        frame.Release();
        Assert.InRange(hub.FramesPublished, 5, published);
        Assert.Equal(0, encoder.Failed);
    }

    [Fact]
    public void AFrameShorterThanItsFormat_IsCountedAsFailed_NotPublished()
    {
        var hub = new LatestFrameHub(TimeProvider.System);
        var context = new SourceContext(0, hub, new FramePool(), new ListLogger());
        using var encoder = new RawFrameEncoderPool(context, 1, 80, "test");
        encoder.Configure(new RawFrameEncoderPool.RawFrameFormat(RawPixelLayout.Yuyv, 320, 240, 640));

        Assert.True(encoder.TrySubmit(new byte[1000], 1, 1));
        encoder.WaitIdle();

        Assert.Equal(1, encoder.Failed);
        Assert.Equal(0, hub.FramesPublished);
    }

    [Fact]
    public void AnOlderFrameFinishingLast_IsNotPublished()
    {
        var hub = new LatestFrameHub(TimeProvider.System);
        var context = new SourceContext(0, hub, new FramePool(), new ListLogger());
        using var encoder = new RawFrameEncoderPool(context, 1, 80, "test");
        encoder.Configure(new RawFrameEncoderPool.RawFrameFormat(RawPixelLayout.Yuyv, 64, 32, 128));

        Assert.True(encoder.TrySubmit(Yuyv(64, 32, 100), 5, 5));
        encoder.WaitIdle();
        Assert.True(encoder.TrySubmit(Yuyv(64, 32, 100), 4, 4));
        encoder.WaitIdle();

        Assert.Equal(1, hub.FramesPublished);
        var current = hub.AcquireCurrent()!;
        Assert.Equal(5, current.TimestampUs);
        current.Release();
    }
}
