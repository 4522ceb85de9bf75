namespace MjpgStreamer.Native.V4l2;

/// <summary>
/// What the V4L2 struct layouts depend on: the size of a pointer (and of C long, equal on Linux) and of time_t.
/// x86_64 and arm64 are (8, 8); armhf is (4, 4); armhf built with 64-bit time_t (Debian trixie "t64") is (4, 8).
/// Every other difference (v4l2_buffer 88/68/80 bytes, v4l2_format 208/204, ...) follows from these two numbers
/// and natural alignment, see <see cref="V4l2BufferLayout"/> and friends.
/// </summary>
/// <remarks>
/// On 32-bit ARM the time_t size is not something .NET can see: the runtime itself is built with glibc's 32-bit
/// time_t today, and the kernel (5.6 and later) accepts both v4l2_buffer/v4l2_event layouts, telling them apart by
/// the size encoded in the ioctl number. So 4 is the default there, which also works with older kernels; set
/// MJPG_STREAMER_TIME_BITS=64 to use the time64 layout (e.g. to match a fake camera library built with
/// -D_TIME_BITS=64). On 64-bit the variable is ignored: time_t is always 64-bit.
/// </remarks>
internal readonly record struct V4l2Abi(int PointerSize, int TimeSize)
{
    public const string TimeBitsVariable = "MJPG_STREAMER_TIME_BITS";

    /// <summary>The ABI of this process.</summary>
    public static V4l2Abi Current { get; } = Detect(IntPtr.Size, Environment.GetEnvironmentVariable(TimeBitsVariable));

    /// <summary>The ABI for a pointer size and an optional MJPG_STREAMER_TIME_BITS value ("32" or "64"; anything else is ignored).</summary>
    public static V4l2Abi Detect(int pointerSize, string? timeBits)
    {
        if (pointerSize == 8)
        {
            return new V4l2Abi(8, 8);
        }

        return new V4l2Abi(4, timeBits?.Trim() == "64" ? 8 : 4);
    }

    /// <summary>Throws unless the sizes are a combination some Linux ABI has.</summary>
    public void Validate()
    {
        if (PointerSize is not (4 or 8) || TimeSize is not (4 or 8) || TimeSize < PointerSize)
        {
            throw new ArgumentException($"unsupported ABI: pointer size {PointerSize}, time_t size {TimeSize}");
        }
    }
}
