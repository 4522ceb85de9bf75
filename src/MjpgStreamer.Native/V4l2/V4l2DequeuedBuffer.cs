namespace MjpgStreamer.Native.V4l2;

/// <summary>
/// A buffer taken from the driver by VIDIOC_DQBUF. <see cref="BytesUsed"/> is the payload length, already limited to
/// the buffer's mapped length; <see cref="TimestampUs"/> is the driver's timestamp (usually CLOCK_MONOTONIC) in
/// microseconds. <see cref="IsError"/>: V4L2_BUF_FLAG_ERROR, the data may be corrupt (requeue it, do not publish).
/// </summary>
internal readonly record struct V4l2DequeuedBuffer(int Index, int BytesUsed, uint Flags, uint Sequence, long TimestampUs)
{
    public bool IsError => (Flags & Videodev2.BufFlagError) != 0;
}
