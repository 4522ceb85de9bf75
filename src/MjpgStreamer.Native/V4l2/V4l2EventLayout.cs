namespace MjpgStreamer.Native.V4l2;

/// <summary>
/// struct v4l2_event for one ABI: its 64-byte union holds an s64 (v4l2_event_ctrl) and is 8-aligned everywhere,
/// and its timestamp is a struct timespec (two time_t-sized slots, aligned like time_t): 136 bytes on 64-bit,
/// 128 on armhf, 136 on armhf time64.
/// </summary>
internal sealed record V4l2EventLayout(int Size, int Type, int U, int Pending, int Sequence, int Timestamp, int Id)
{
    public static V4l2EventLayout For(V4l2Abi abi)
    {
        abi.Validate();
        var c = default(CStructLayout);
        var type = c.Add(4, 4);
        var u = c.Add(64, 8);
        var pending = c.Add(4, 4);
        var sequence = c.Add(4, 4);
        var timestamp = c.Add(2 * abi.TimeSize, abi.TimeSize);
        var id = c.Add(4, 4);
        c.Add(32, 4); // reserved[8]
        return new V4l2EventLayout(c.Size, type, u, pending, sequence, timestamp, id);
    }
}
