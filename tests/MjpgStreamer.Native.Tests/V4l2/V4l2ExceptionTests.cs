using MjpgStreamer.Native.V4l2;

namespace MjpgStreamer.Native.Tests.V4l2;

public sealed class V4l2ExceptionTests
{
    [Fact]
    public void Message_NamesTheCallTheReasonAndTheErrno()
    {
        var e = new V4l2Exception("VIDIOC_DQBUF", 19);
        Assert.Equal("VIDIOC_DQBUF failed: No such device (ENODEV)", e.Message);
        Assert.Equal("VIDIOC_DQBUF", e.Operation);
        Assert.Equal(19, e.Errno);
        Assert.IsAssignableFrom<IOException>(e);
    }

    [Fact]
    public void Message_ForAnErrnoWithoutAKnownName_ShowsTheNumber()
    {
        var e = new V4l2Exception("VIDIOC_S_FMT", 200);
        Assert.StartsWith("VIDIOC_S_FMT failed: ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("(errno 200)", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("VIDIOC_DQBUF", 19, true)] // ENODEV
    [InlineData("VIDIOC_QBUF", 6, true)] // ENXIO
    [InlineData("VIDIOC_DQBUF", 5, true)] // EIO: videobuf2 queue failed
    [InlineData("open", 2, true)] // ENOENT: the node is not there
    [InlineData("VIDIOC_DQEVENT", 2, false)] // ENOENT: no event pending
    [InlineData("VIDIOC_S_FMT", 16, false)] // EBUSY
    [InlineData("VIDIOC_S_CTRL", 22, false)] // EINVAL
    public void IsDeviceGone_OnlyForErrorsThatNeedAReopen(string operation, int errno, bool gone)
    {
        Assert.Equal(gone, new V4l2Exception(operation, errno).IsDeviceGone);
    }

    [Fact]
    public void IsBusy_OnlyForEbusy()
    {
        Assert.True(new V4l2Exception("VIDIOC_S_FMT", 16).IsBusy);
        Assert.False(new V4l2Exception("VIDIOC_S_FMT", 22).IsBusy);
        Assert.Equal("VIDIOC_REQBUFS failed: Device or resource busy (EBUSY)", new V4l2Exception("VIDIOC_REQBUFS", 16).Message);
    }
}
