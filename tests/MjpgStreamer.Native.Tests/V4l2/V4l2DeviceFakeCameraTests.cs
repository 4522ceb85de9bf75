using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Native.Interop;
using MjpgStreamer.Native.Tests.TestSupport;
using MjpgStreamer.Native.V4l2;

namespace MjpgStreamer.Native.Tests.V4l2;

/// <summary>Our V4L2 layer against the fake camera: real structs, real ioctl numbers, real mmap.</summary>
[Collection(nameof(FakeCameraDevice))]
public sealed class V4l2DeviceFakeCameraTests
{
    private static int DescriptorsOn(string path) =>
        new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos().Count(e =>
        {
            try
            {
                return e.LinkTarget == path;
            }
            catch (IOException)
            {
                return false;
            }
        });

    [Fact]
    public void Capability_FormatsSizesAndIntervals_AreTheCamerasOwn()
    {
        using var device = V4l2Device.Open(FakeCameraLibrary.Camera);

        var capability = device.QueryCapability();
        Assert.True(capability.CanCaptureVideo && capability.CanStream);
        Assert.Equal("Fake Camera 1", capability.Card);
        var formats = device.EnumerateFormats();
        Assert.Equal([(FourCc.Mjpeg, "Motion-JPEG", true), (FourCc.Yuyv, "YUYV 4:2:2", false)], formats.Select(f => (f.PixelFormat, f.Description, f.Compressed)).ToList());
        Assert.Equal([(640, 480), (1280, 720), (1920, 1080)], device.EnumerateFrameSizes(FourCc.Mjpeg));
        Assert.Contains((1, 15), device.EnumerateFrameIntervals(FourCc.Mjpeg, 1280, 720));
    }

    [Fact]
    public void MetadataNode_IsNotAVideoCapture()
    {
        using var device = V4l2Device.Open(FakeCameraLibrary.MetadataNode);
        Assert.False(device.QueryCapability().CanCaptureVideo);
    }

    [Fact]
    public void SetFormatAndInterval_ReturnWhatTheDriverChose()
    {
        using var device = V4l2Device.Open(FakeCameraLibrary.Camera);

        var format = device.SetFormat(1300, 700, FourCc.Yuyv);
        Assert.Equal((1280, 720, FourCc.Yuyv, 2560), (format.Width, format.Height, format.PixelFormat, format.BytesPerLine));
        Assert.Equal((1, 15), device.SetFrameInterval(1, 15));
        Assert.Equal((1, 15), device.GetFrameInterval());
        device.SetFormat(640, 480, FourCc.Mjpeg);
        device.SetFrameInterval(1, 30);
    }

    [Fact]
    public void Streaming_DeliversJpegsOfTheNegotiatedSize_ThenReleasesEverything()
    {
        var device = V4l2Device.Open(FakeCameraLibrary.Camera);
        try
        {
            device.SetFormat(1280, 720, FourCc.Mjpeg);
            device.SetFrameInterval(1, 30);
            device.StartStreaming(4);
            Assert.Equal(4, device.BufferCount);
            Assert.Equal(1, DescriptorsOn(FakeCameraLibrary.Camera));

            var frames = 0;
            while (frames < 10)
            {
                Assert.Equal(V4l2WaitResult.FrameReady, device.WaitForFrame(2000));
                while (device.TryDequeue(out var buffer))
                {
                    var data = device.GetBufferData(buffer.Index, buffer.BytesUsed);
                    Assert.True(JpegInfo.HasSoiAndEoi(data));
                    Assert.True(JpegInfo.TryReadSize(data, out var width, out var height));
                    Assert.Equal((1280, 720), (width, height));
                    Assert.True(buffer.TimestampUs > 0);
                    device.Requeue(buffer.Index);
                    frames++;
                }
            }

            device.StopStreaming();
            device.StopStreaming();
        }
        finally
        {
            device.Dispose();
        }

        Assert.Equal(0, DescriptorsOn(FakeCameraLibrary.Camera));
    }

    [Fact]
    public void WaitForFrame_ReturnsCancelled_WhenTheCancelDescriptorIsSignalled()
    {
        using var device = V4l2Device.Open(FakeCameraLibrary.Camera);
        device.SetFrameInterval(1, 5);
        device.StartStreaming(2);
        using var wake = Inotify.CreateEventFd(out _);
        Inotify.Signal(wake);

        Assert.Equal(V4l2WaitResult.Cancelled, device.WaitForFrame(5000, (int)wake.DangerousGetHandle()));
        device.SetFrameInterval(1, 30);
    }

    [Fact]
    public void Controls_EnumerateWithMenus_AndSetThroughBothIoctlFamilies()
    {
        using var device = V4l2Device.Open(FakeCameraLibrary.Camera);

        var controls = device.EnumerateControls();
        var brightness = controls.Single(c => c.Name == "Brightness");
        Assert.Equal((0x00980900u, 1, -64, 64), (brightness.Id, brightness.Type, brightness.Minimum, brightness.Maximum));
        var exposure = controls.Single(c => c.Id == 0x009A0901);
        Assert.Equal(new Dictionary<int, string> { [1] = "Manual Mode", [3] = "Aperture Priority Mode" }, exposure.Menu);
        Assert.Contains(controls, c => c.Type == Videodev2.CtrlTypeCtrlClass && c.Name == "Camera Controls");

        var before = device.GetControl(0x00980900);
        try
        {
            device.SetControl(0x00980900, 12);
            Assert.Equal(12, device.GetControl(0x00980900));
            device.SetControl(0x009A090A, 125); // focus_absolute, camera class: extended controls
            Assert.Equal(125, device.GetControl(0x009A090A));
            var error = Assert.Throws<V4l2Exception>(() => device.SetControl(0x009809F0, 1));
            Assert.Contains("VIDIOC_S_CTRL", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            device.SetControl(0x00980900, before);
            device.SetControl(0x009A090A, 0);
        }
    }

    [Fact]
    public void JpegQuality_IsUnsupported_AsOnUvcCameras()
    {
        using var device = V4l2Device.Open(FakeCameraLibrary.Camera);
        Assert.Null(device.GetJpegQuality());
        Assert.False(device.TrySetJpegQuality(50));
    }
}

/// <summary>The fake's cameras have one format and rate per device, shared by every handle: these tests take turns.</summary>
[CollectionDefinition(nameof(FakeCameraDevice), DisableParallelization = true)]
public sealed class FakeCameraDevice;
