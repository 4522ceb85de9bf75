using MjpgStreamer.Native.Sources.Uvc;
using MjpgStreamer.Native.Tests.TestSupport;

namespace MjpgStreamer.Native.Tests.Sources.Uvc;

[Collection(nameof(V4l2.FakeCameraDevice))]
public sealed class CameraScannerTests
{
    [Fact]
    public void Candidates_IncludeTheFakeDevices_InOrder()
    {
        var candidates = CameraScanner.Candidates();
        Assert.Equal([FakeCameraLibrary.MetadataNode, FakeCameraLibrary.Camera, FakeCameraLibrary.SecondCamera], candidates.TakeLast(3));
    }

    [Fact]
    public void FindDefault_SkipsTheMetadataNode_AndPicksTheFirstMjpegCamera()
    {
        var found = CameraScanner.FindDefault();

        Assert.NotNull(found);
        Assert.Equal((FakeCameraLibrary.Camera, "Fake Camera 1", true), (found.Path, found.Card, found.Mjpeg));
    }
}
