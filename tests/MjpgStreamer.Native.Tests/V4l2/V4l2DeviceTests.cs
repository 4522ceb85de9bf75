using System.Diagnostics;
using MjpgStreamer.Native.Interop;
using MjpgStreamer.Native.Tests.TestSupport;
using MjpgStreamer.Native.V4l2;

namespace MjpgStreamer.Native.Tests.V4l2;

/// <summary>
/// V4l2Device against what this machine has: no video device, but real files whose ioctls fail with ENOTTY,
/// and a FIFO that never becomes readable. MJPG_STREAMER_V4L2_LIB is unset, so "v4l2sys" is the process's libc.
/// Streaming is exercised against the fake camera library elsewhere.
/// </summary>
public sealed class V4l2DeviceTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Open_MissingNode_ThrowsEnoentThatCountsAsGone()
    {
        var e = Assert.Throws<V4l2Exception>(() => V4l2Device.Open("/nonexistent/video0"));
        Assert.Equal("open", e.Operation);
        Assert.Equal(V4l2Native.ENoEnt, e.Errno);
        Assert.True(e.IsDeviceGone);
        Assert.Equal("open /nonexistent/video0 failed: No such file or directory (ENOENT)", e.Message);
    }

    [Fact]
    public void QueryCapability_OnARegularFile_ThrowsEnottyAndDisposeClosesTheDescriptor()
    {
        var path = _folder.File("not-a-camera");
        File.WriteAllBytes(path, [1, 2, 3]);

        var device = V4l2Device.Open(path);
        Assert.Equal(path, device.Path);
        Assert.Equal(1, CountOpenDescriptors(path));

        var e = Assert.Throws<V4l2Exception>(device.QueryCapability);
        Assert.Equal("VIDIOC_QUERYCAP", e.Operation);
        Assert.Equal(V4l2Native.ENotTy, e.Errno);
        Assert.False(e.IsDeviceGone);
        Assert.EndsWith("(ENOTTY)", e.Message, StringComparison.Ordinal);

        device.Dispose();
        Assert.Equal(0, CountOpenDescriptors(path));
        device.Dispose();
        Assert.Throws<ObjectDisposedException>(device.QueryCapability);
    }

    [Fact]
    public void OptionalFeatures_OnAFileWithoutThem_ReportUnsupportedInsteadOfThrowing()
    {
        using var device = OpenRegularFile();
        Assert.Null(device.GetJpegQuality());
        Assert.False(device.TrySetJpegQuality(80));
        Assert.Null(device.GetFrameInterval());
        Assert.Null(device.SetFrameInterval(1, 30));
        Assert.False(device.TryApplyDvTimings());
        Assert.False(device.TrySubscribeSourceChange());
        Assert.False(device.TryDequeueSourceChange());
        Assert.Empty(device.EnumerateFrameSizes(FourCc.Mjpeg));
        Assert.Empty(device.EnumerateFrameIntervals(FourCc.Mjpeg, 640, 480));
        Assert.Empty(device.EnumerateControls());
    }

    [Fact]
    public void RequiredCalls_OnAFile_ThrowWithTheirOperationName()
    {
        using var device = OpenRegularFile();
        Assert.Equal("VIDIOC_ENUM_FMT", Assert.Throws<V4l2Exception>(device.EnumerateFormats).Operation);
        Assert.Equal("VIDIOC_G_FMT", Assert.Throws<V4l2Exception>(device.GetFormat).Operation);
        Assert.Equal("VIDIOC_S_FMT", Assert.Throws<V4l2Exception>(() => device.SetFormat(640, 480, FourCc.Mjpeg)).Operation);
        Assert.Equal("VIDIOC_G_CTRL", Assert.Throws<V4l2Exception>(() => device.GetControl(Videodev2.CidBase)).Operation);
        Assert.Equal("VIDIOC_S_CTRL", Assert.Throws<V4l2Exception>(() => device.SetControl(Videodev2.CidBase, 1)).Operation);
        Assert.Equal("VIDIOC_G_EXT_CTRLS", Assert.Throws<V4l2Exception>(() => device.GetControl(0x009a0901)).Operation);
        Assert.Equal("VIDIOC_S_EXT_CTRLS", Assert.Throws<V4l2Exception>(() => device.SetControl(0x009a0901, 3)).Operation);
        Assert.Equal("VIDIOC_S_STD", Assert.Throws<V4l2Exception>(() => device.SetStandard(0xff)).Operation);
        Assert.Equal("VIDIOC_DQBUF", Assert.Throws<V4l2Exception>(() => device.TryDequeue(out _)).Operation);
    }

    [Fact]
    public void StartStreaming_Failing_LeavesNothingBehindAndStopStreamingIsANoOp()
    {
        using var device = OpenRegularFile();
        var e = Assert.Throws<V4l2Exception>(() => device.StartStreaming(4));
        Assert.Equal("VIDIOC_REQBUFS", e.Operation);
        Assert.Equal(0, device.BufferCount);
        device.StopStreaming();
        device.StopStreaming();
        Assert.Throws<ArgumentOutOfRangeException>(() => device.StartStreaming(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => device.GetBufferData(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => device.Requeue(0));
    }

    [Fact]
    public void ControlClass_IsTheHighBitsOfTheId()
    {
        Assert.Equal(0x00980000u, V4l2Device.ControlClass(0x00980900)); // V4L2_CID_BRIGHTNESS
        Assert.Equal(0x009a0000u, V4l2Device.ControlClass(0x009a0901)); // V4L2_CID_EXPOSURE_AUTO
    }

    [Fact]
    public void WaitForFrame_ReportsTimeoutAndCancellation()
    {
        var fifo = _folder.File("fifo");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        // Opened read-write, a FIFO never reports hang-up and stays unreadable while nobody writes.
        using var device = V4l2Device.Open(fifo);
        Assert.Equal(V4l2WaitResult.Timeout, device.WaitForFrame(0));

        using var cancel = Inotify.CreateEventFd(out var errno);
        Assert.Equal(0, errno);
        var cancelFd = (int)cancel.DangerousGetHandle();
        Assert.Equal(V4l2WaitResult.Timeout, device.WaitForFrame(0, cancelFd));
        Inotify.Signal(cancel);
        Assert.Equal(V4l2WaitResult.Cancelled, device.WaitForFrame(-1, cancelFd));
    }

    [Fact]
    public void WaitForFrame_ReadableDevice_IsFrameReady()
    {
        // A regular file always polls readable, as a device with a filled buffer does.
        using var device = OpenRegularFile();
        Assert.Equal(V4l2WaitResult.FrameReady, device.WaitForFrame(-1));
    }

    [Fact]
    public void LibraryPath_ThatDoesNotLoad_GivesOneLineNamingItAndTheVariable()
    {
        var e = Assert.Throws<V4l2Exception>(() => V4l2Library.Load("/nonexistent/libfakecam.so"));
        Assert.True(e.IsLibraryLoadFailure);
        Assert.False(e.IsDeviceGone);
        Assert.Contains("/nonexistent/libfakecam.so", e.Message, StringComparison.Ordinal);
        Assert.Contains("MJPG_STREAMER_V4L2_LIB", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);

        var notElf = _folder.File("libnot-elf.so");
        File.WriteAllText(notElf, "not a shared object");
        var e2 = Assert.Throws<V4l2Exception>(() => V4l2Library.Load(notElf));
        Assert.Contains(notElf, e2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LibraryPath_Unset_IsTheMainProgram()
    {
        Assert.Equal(System.Runtime.InteropServices.NativeLibrary.GetMainProgramHandle(), V4l2Library.Load(null));
        Assert.Equal(System.Runtime.InteropServices.NativeLibrary.GetMainProgramHandle(), V4l2Library.Load(""));
    }

    private static int CountOpenDescriptors(string path) =>
        new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos()
            .Count(fd =>
            {
                try
                {
                    return fd.LinkTarget == path;
                }
                catch (IOException)
                {
                    return false; // closed while enumerating
                }
            });

    private V4l2Device OpenRegularFile()
    {
        var path = _folder.File("not-a-camera");
        File.WriteAllBytes(path, [1, 2, 3]);
        return V4l2Device.Open(path);
    }
}
