namespace MjpgStreamer.Native.V4l2;

/// <summary>
/// Lays out a C struct field by field the way the compilers of our targets do: every scalar is aligned to its own
/// size (true for x86_64, arm64 and the ARM EABI, which aligns 64-bit types to 8; not for i386, not a target), a
/// union or nested struct to its largest member, and the total is padded to the struct's alignment.
/// </summary>
internal struct CStructLayout
{
    private int _offset;
    private int _alignment;

    /// <summary>Places a member of <paramref name="size"/> bytes aligned to <paramref name="alignment"/>; returns its offset.</summary>
    public int Add(int size, int alignment)
    {
        _offset = AlignUp(_offset, alignment);
        var offset = _offset;
        _offset += size;
        _alignment = Math.Max(_alignment, alignment);
        return offset;
    }

    /// <summary>sizeof the struct so far.</summary>
    public readonly int Size => AlignUp(_offset, Math.Max(_alignment, 1));

    private static int AlignUp(int value, int alignment) => (value + alignment - 1) / alignment * alignment;
}
