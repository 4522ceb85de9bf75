namespace MjpgStreamer.Native.V4l2;

/// <summary>
/// The VIDIOC_* request numbers for one ABI, computed like the _IOR/_IOW/_IOWR macros of linux/videodev2.h from
/// the struct sizes (which is why G_FMT, QBUF, DQEVENT, ... differ between 64-bit, armhf and armhf time64).
/// </summary>
internal sealed unsafe class V4l2Requests
{
    private V4l2Requests(V4l2Abi abi)
    {
        var buffer = V4l2BufferLayout.For(abi).Size;
        var format = V4l2FormatLayout.For(abi).Size;
        var extControls = V4l2ExtControlsLayout.For(abi).Size;
        var v4l2Event = V4l2EventLayout.For(abi).Size;

        QueryCap = V4l2Ioctl.Ior('V', 0, sizeof(Videodev2.Capability));
        EnumFmt = V4l2Ioctl.Iowr('V', 2, sizeof(Videodev2.FmtDesc));
        GFmt = V4l2Ioctl.Iowr('V', 4, format);
        SFmt = V4l2Ioctl.Iowr('V', 5, format);
        ReqBufs = V4l2Ioctl.Iowr('V', 8, sizeof(Videodev2.RequestBuffers));
        QueryBuf = V4l2Ioctl.Iowr('V', 9, buffer);
        QBuf = V4l2Ioctl.Iowr('V', 15, buffer);
        DQBuf = V4l2Ioctl.Iowr('V', 17, buffer);
        StreamOn = V4l2Ioctl.Iow('V', 18, sizeof(int));
        StreamOff = V4l2Ioctl.Iow('V', 19, sizeof(int));
        GParm = V4l2Ioctl.Iowr('V', 21, sizeof(Videodev2.StreamParm));
        SParm = V4l2Ioctl.Iowr('V', 22, sizeof(Videodev2.StreamParm));
        SStd = V4l2Ioctl.Iow('V', 24, sizeof(ulong)); // v4l2_std_id
        GCtrl = V4l2Ioctl.Iowr('V', 27, sizeof(Videodev2.Control));
        SCtrl = V4l2Ioctl.Iowr('V', 28, sizeof(Videodev2.Control));
        QueryCtrl = V4l2Ioctl.Iowr('V', 36, sizeof(Videodev2.QueryCtrl));
        QueryMenu = V4l2Ioctl.Iowr('V', 37, sizeof(Videodev2.QueryMenu));
        GJpegComp = V4l2Ioctl.Ior('V', 61, sizeof(Videodev2.JpegCompression));
        SJpegComp = V4l2Ioctl.Iow('V', 62, sizeof(Videodev2.JpegCompression));
        TryFmt = V4l2Ioctl.Iowr('V', 64, format);
        GExtCtrls = V4l2Ioctl.Iowr('V', 71, extControls);
        SExtCtrls = V4l2Ioctl.Iowr('V', 72, extControls);
        EnumFrameSizes = V4l2Ioctl.Iowr('V', 74, sizeof(Videodev2.FrmSizeEnum));
        EnumFrameIntervals = V4l2Ioctl.Iowr('V', 75, sizeof(Videodev2.FrmIvalEnum));
        SDvTimings = V4l2Ioctl.Iowr('V', 87, sizeof(Videodev2.DvTimings));
        DQEvent = V4l2Ioctl.Ior('V', 89, v4l2Event);
        SubscribeEvent = V4l2Ioctl.Iow('V', 90, sizeof(Videodev2.EventSubscription));
        QueryDvTimings = V4l2Ioctl.Ior('V', 99, sizeof(Videodev2.DvTimings));
    }

    public uint QueryCap { get; }

    public uint EnumFmt { get; }

    public uint GFmt { get; }

    public uint SFmt { get; }

    public uint TryFmt { get; }

    public uint ReqBufs { get; }

    public uint QueryBuf { get; }

    public uint QBuf { get; }

    public uint DQBuf { get; }

    public uint StreamOn { get; }

    public uint StreamOff { get; }

    public uint GParm { get; }

    public uint SParm { get; }

    public uint SStd { get; }

    public uint GCtrl { get; }

    public uint SCtrl { get; }

    public uint QueryCtrl { get; }

    public uint QueryMenu { get; }

    public uint GJpegComp { get; }

    public uint SJpegComp { get; }

    public uint GExtCtrls { get; }

    public uint SExtCtrls { get; }

    public uint EnumFrameSizes { get; }

    public uint EnumFrameIntervals { get; }

    public uint SDvTimings { get; }

    public uint QueryDvTimings { get; }

    public uint SubscribeEvent { get; }

    public uint DQEvent { get; }

    public static V4l2Requests For(V4l2Abi abi) => new(abi);
}
