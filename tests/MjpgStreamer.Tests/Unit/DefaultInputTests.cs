using MjpgStreamer.Hosting;
using MjpgStreamer.Native.Sources.Uvc;

namespace MjpgStreamer.Tests.Unit;

/// <summary>The embedded default (no -i, no -o): the first camera, else the test pattern.</summary>
public sealed class DefaultInputTests
{
    [Fact]
    public void NoCamera_IsTheTestPattern()
    {
        Assert.Equal(("input_testpattern.so", ""), (App.DefaultInput(null).Name, App.DefaultInput(null).RawArgs.Trim()));
    }

    [Fact]
    public void AnMjpegCamera_IsStreamedAsItIs()
    {
        var spec = App.DefaultInput(new CameraScanner.Found("/dev/video2", "HD Pro Webcam C920", Mjpeg: true));
        Assert.Equal(("input_uvc.so", "-d /dev/video2"), (spec.Name, spec.RawArgs.Trim()));
    }

    [Fact]
    public void AYuyvOnlyCamera_IsEncoded()
    {
        var spec = App.DefaultInput(new CameraScanner.Found("/dev/video0", "Cheap Cam", Mjpeg: false));
        Assert.Equal("-d /dev/video0 -y", spec.RawArgs.Trim());
    }
}
