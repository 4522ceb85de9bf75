namespace MjpgStreamer.Native.V4l2;

/// <summary>
/// VIDIOC_QUERYCAP. <see cref="CanCaptureVideo"/> and <see cref="CanStream"/> look at the capabilities of this
/// device node (DeviceCaps) when the driver reports them (V4L2_CAP_DEVICE_CAPS), else at the whole device's.
/// </summary>
internal sealed record V4l2CapabilityInfo(string Driver, string Card, string BusInfo, uint Capabilities, uint DeviceCaps)
{
    public uint EffectiveCaps => (Capabilities & Videodev2.CapDeviceCaps) != 0 ? DeviceCaps : Capabilities;

    /// <summary>Single-planar video capture (V4L2_CAP_VIDEO_CAPTURE); multi-planar devices are not supported.</summary>
    public bool CanCaptureVideo => (EffectiveCaps & Videodev2.CapVideoCapture) != 0;

    /// <summary>Streaming I/O (V4L2_CAP_STREAMING), which mmap capture needs.</summary>
    public bool CanStream => (EffectiveCaps & Videodev2.CapStreaming) != 0;
}
