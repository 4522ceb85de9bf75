using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace MjpgStreamer.Native.Interop;

/// <summary>
/// open(2) and statx(2): statx's struct has the same layout on every architecture (unlike struct stat), so the file
/// type and size are read from fixed offsets.
/// </summary>
internal static unsafe partial class LibcFiles
{
    public const int ORdonly = 0;

    /// <summary>O_NONBLOCK, O_NOCTTY and O_CLOEXEC have these values on x86, x86_64, arm and aarch64.</summary>
    public const int ONonblock = 0x800;

    public const int ONoctty = 0x100;

    public const int OCloexec = 0x80000;

    public const int Eintr = 4;

    private const int AtFdcwd = -100;

    private const int AtEmptyPath = 0x1000;

    private const uint StatxType = 0x1;

    private const uint StatxSize = 0x200;

    private const int StatxBufferSize = 256;

    private const int StatxModeOffset = 28;

    private const int StatxSizeOffset = 40;

    private const int SIfmt = 0xF000;

    private const int SIfreg = 0x8000;

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, byte* buffer);

    /// <summary>The type and size of a path (symlinks followed), or the errno.</summary>
    public static int StatPath(string path, out bool regular, out long size) => Stat(AtFdcwd, path, 0, out regular, out size);

    /// <summary>The type and size of an open descriptor, or the errno.</summary>
    public static int StatDescriptor(int fd, out bool regular, out long size) => Stat(fd, "", AtEmptyPath, out regular, out size);

    private static int Stat(int dirFd, string path, int flags, out bool regular, out long size)
    {
        var buffer = stackalloc byte[StatxBufferSize];
        new Span<byte>(buffer, StatxBufferSize).Clear();
        regular = false;
        size = 0;
        if (Statx(dirFd, path, flags, StatxType | StatxSize, buffer) != 0)
        {
            return Marshal.GetLastPInvokeError();
        }

        var span = new ReadOnlySpan<byte>(buffer, StatxBufferSize);
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(span[StatxModeOffset..]);
        regular = (mode & SIfmt) == SIfreg;
        size = (long)BinaryPrimitives.ReadUInt64LittleEndian(span[StatxSizeOffset..]);
        return 0;
    }
}
