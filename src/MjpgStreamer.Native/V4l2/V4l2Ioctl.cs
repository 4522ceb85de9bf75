namespace MjpgStreamer.Native.V4l2;

/// <summary>
/// The _IOC encoding of asm-generic/ioctl.h, which x86_64, arm and arm64 all use: 8 bits number, 8 bits type,
/// 14 bits argument size, 2 bits direction (1 = write to the kernel, 2 = read from it), from the low bit up.
/// </summary>
internal static class V4l2Ioctl
{
    public const uint DirNone = 0;
    public const uint DirWrite = 1;
    public const uint DirRead = 2;

    private const int NrShift = 0;
    private const int TypeShift = 8;
    private const int SizeShift = 16;
    private const int DirShift = 30;
    private const int SizeBits = 14;

    public static uint Ioc(uint direction, char type, uint number, int size)
    {
        if (size < 0 || size >= 1 << SizeBits)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "does not fit the 14-bit size field");
        }

        return (direction << DirShift) | ((uint)type << TypeShift) | (number << NrShift) | ((uint)size << SizeShift);
    }

    public static uint Ior(char type, uint number, int size) => Ioc(DirRead, type, number, size);

    public static uint Iow(char type, uint number, int size) => Ioc(DirWrite, type, number, size);

    public static uint Iowr(char type, uint number, int size) => Ioc(DirRead | DirWrite, type, number, size);
}
