namespace MjpgStreamer.Native.V4l2;

/// <summary>
/// struct v4l2_buffer for one ABI: its timestamp is a struct timeval (two time_t-sized fields, aligned like time_t)
/// and its m union holds an unsigned long / pointer, so the size is 88 on 64-bit, 68 on armhf, 80 on armhf time64.
/// </summary>
internal sealed record V4l2BufferLayout(
    int Size,
    int Index,
    int Type,
    int BytesUsed,
    int Flags,
    int Field,
    int Timestamp,
    int TimestampUsec,
    int Sequence,
    int Memory,
    int M,
    int Length)
{
    public static V4l2BufferLayout For(V4l2Abi abi)
    {
        abi.Validate();
        var c = default(CStructLayout);
        var index = c.Add(4, 4);
        var type = c.Add(4, 4);
        var bytesUsed = c.Add(4, 4);
        var flags = c.Add(4, 4);
        var field = c.Add(4, 4);
        var timestamp = c.Add(2 * abi.TimeSize, abi.TimeSize); // struct timeval { time_t tv_sec; suseconds_t tv_usec; }
        c.Add(16, 4); // struct v4l2_timecode: 4 x u32 + 4 x u8
        var sequence = c.Add(4, 4);
        var memory = c.Add(4, 4);
        var m = c.Add(abi.PointerSize, abi.PointerSize); // union { u32 offset; unsigned long userptr; v4l2_plane *planes; s32 fd; }
        var length = c.Add(4, 4);
        c.Add(4, 4); // reserved2
        c.Add(4, 4); // union { s32 request_fd; u32 reserved; }
        return new V4l2BufferLayout(c.Size, index, type, bytesUsed, flags, field, timestamp, timestamp + abi.TimeSize, sequence, memory, m, length);
    }
}
