namespace MjpgStreamer.Native.V4l2;

/// <summary>
/// struct v4l2_format for one ABI: u32 type, then a 200-byte union that contains v4l2_window's pointers and is
/// therefore pointer-aligned (fmt at 8 and 208 bytes on 64-bit, at 4 and 204 bytes on 32-bit ARM).
/// The capture member, struct v4l2_pix_format, starts at <see cref="Fmt"/>.
/// </summary>
internal sealed record V4l2FormatLayout(int Size, int Type, int Fmt)
{
    public static V4l2FormatLayout For(V4l2Abi abi)
    {
        abi.Validate();
        var c = default(CStructLayout);
        var type = c.Add(4, 4);
        var fmt = c.Add(200, abi.PointerSize);
        return new V4l2FormatLayout(c.Size, type, fmt);
    }
}
