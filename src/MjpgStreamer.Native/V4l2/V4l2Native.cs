using System.Runtime.InteropServices;

namespace MjpgStreamer.Native.V4l2;

/// <summary>
/// The libc calls a V4L2 device needs, bound to the library name "v4l2sys" that <see cref="V4l2Library"/> resolves:
/// to the global symbol scope (libc, or an LD_PRELOADed shim) or to the library named by MJPG_STREAMER_V4L2_LIB
/// (a fake camera exporting the same six functions).
/// </summary>
/// <remarks>
/// <para>open(2) and ioctl(2) are variadic in C. Both are bound with a fixed trailing argument: on the ABIs we ship
/// (x86_64 System V, AAPCS64 on Linux, ARM EABI hard-float) integer and pointer variadic arguments travel in the
/// same registers as fixed ones (rdx / x2 / r2 for the third), so the callee's va_arg finds them. open always gets
/// an explicit mode of 0 rather than no third argument: glibc reads the mode only for O_CREAT/O_TMPFILE, but a fake
/// library may va_arg it unconditionally, and then it reads a defined value. On x86_64 a variadic call should also
/// set AL to the number of vector registers used; the stub does not, which is harmless because GCC's va_start
/// prologue only tests AL for zero to decide whether to spill xmm registers (macOS arm64, which passes variadic
/// arguments on the stack, would differ; it is not a target).</para>
/// <para>mmap's offset is off_t. The symbol "mmap" takes a C long on all our targets (8 bytes on 64-bit; 4 on armhf,
/// where _FILE_OFFSET_BITS=64 / time64 builds are redirected to mmap64 by the headers instead), so <see cref="nint"/>
/// is exact for that symbol. V4L2 buffer offsets are 32-bit cookies (m.offset); on 32-bit ARM those above
/// int.MaxValue cannot be passed and the device reports EOVERFLOW. mmap64 is not bound on purpose: a fake library
/// would have to export it too, or the call would silently fall through to libc.</para>
/// </remarks>
internal static unsafe partial class V4l2Native
{
    // <fcntl.h>, <sys/mman.h>, <poll.h> and <errno.h> values; identical on x86_64, arm and arm64 (pinned by the probe).
    public const int ORdwr = 2;
    public const int ONonBlock = 0x800;
    public const int OCloExec = 0x80000;

    public const int ProtRead = 1;
    public const int ProtWrite = 2;
    public const int MapShared = 1;
    public static readonly nint MapFailed = -1;

    public const short PollIn = 0x001;
    public const short PollPri = 0x002;
    public const short PollErr = 0x008;
    public const short PollHup = 0x010;
    public const short PollNval = 0x020;

    public const int EIntr = 4;
    public const int ENoEnt = 2;
    public const int EIo = 5;
    public const int ENxio = 6;
    public const int EBadF = 9;
    public const int EAgain = 11;
    public const int ENoMem = 12;
    public const int EBusy = 16;
    public const int ENoDev = 19;
    public const int EInval = 22;
    public const int ENotTy = 25;
    public const int ENoData = 61;
    public const int EOverflow = 75;

    static V4l2Native()
    {
        // Before the first call binds "v4l2sys": the resolver must be in place, whoever calls first.
        V4l2Library.EnsureRegistered();
    }

    [LibraryImport(V4l2Library.Name, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport(V4l2Library.Name, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(V4l2Library.Name, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* arg);

    [LibraryImport(V4l2Library.Name, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport(V4l2Library.Name, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint address, nuint length);

    [LibraryImport(V4l2Library.Name, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }
}
