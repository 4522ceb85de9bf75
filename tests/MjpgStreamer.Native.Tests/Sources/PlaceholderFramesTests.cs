using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Jpeg;
using MjpgStreamer.Native.Sources;
using MjpgStreamer.Native.Tests.TestSupport;

namespace MjpgStreamer.Native.Tests.Sources;

public sealed class PlaceholderFramesTests
{
    [Fact]
    public void Publish_SendsAPlaceholderOfTheStreamSize_ThatDoesNotCountAsCaptured()
    {
        var hub = new LatestFrameHub(TimeProvider.System);
        var context = new SourceContext(0, hub, new FramePool(), new ListLogger());
        var placeholders = new PlaceholderFrames();

        placeholders.Publish(context, "NO SIGNAL", "camera unplugged (/dev/video0)", 1280, 720);

        var frame = hub.AcquireCurrent()!;
        Assert.True(frame.IsPlaceholder);
        Assert.True(JpegInfo.IsWellFormed(frame.Span));
        Assert.Equal((1280, 720), (frame.Width, frame.Height));
        Assert.Equal(0, hub.FramesPublished);
        Assert.Null(hub.AcquireLastReal());
        frame.Release();
    }

    [Fact]
    public void Render_DrawsLightTextOnADarkPicture_AndReusesTheLastRendering()
    {
        var placeholders = new PlaceholderFrames();
        var first = placeholders.Render("NO SIGNAL", "no frame for 5 s", 640, 480);
        using var decoder = new JpegDecoder();
        var rgb = decoder.DecodeToRgb(first, out var width, out var height);

        Assert.Equal((640, 480), (width, height));
        var bright = 0;
        for (var i = 0; i < rgb.Length; i += 3)
        {
            bright += rgb[i] > 180 ? 1 : 0;
        }

        Assert.InRange(bright, 500, width * height / 4);
        Assert.Same(first, placeholders.Render("NO SIGNAL", "no frame for 5 s", 640, 480));
        Assert.NotSame(first, placeholders.Render("NO SIGNAL", "camera busy", 640, 480));
    }
}
