namespace MjpgStreamer.Native.V4l2;

/// <summary>
/// struct v4l2_ext_controls for one ABI: five u32 (which/ctrl_class, count, error_idx, request_fd, reserved[1])
/// and a pointer to the v4l2_ext_control array (32 bytes on 64-bit, 24 on 32-bit ARM).
/// </summary>
internal sealed record V4l2ExtControlsLayout(int Size, int Which, int Count, int ErrorIdx, int RequestFd, int Controls)
{
    public static V4l2ExtControlsLayout For(V4l2Abi abi)
    {
        abi.Validate();
        var c = default(CStructLayout);
        var which = c.Add(4, 4);
        var count = c.Add(4, 4);
        var errorIdx = c.Add(4, 4);
        var requestFd = c.Add(4, 4);
        c.Add(4, 4); // reserved[1]
        var controls = c.Add(abi.PointerSize, abi.PointerSize);
        return new V4l2ExtControlsLayout(c.Size, which, count, errorIdx, requestFd, controls);
    }
}
