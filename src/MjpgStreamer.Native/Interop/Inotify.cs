using System.Runtime.InteropServices;

namespace MjpgStreamer.Native.Interop;

/// <summary>
/// inotify(7), plus the few libc calls needed to wait on it: poll(2) and an eventfd(2) another thread can
/// signal to interrupt the wait. The flag values are the generic Linux ones (x86, x86-64, ARM, arm64, RISC-V).
/// </summary>
internal static unsafe partial class Inotify
{
    // inotify_init1 / eventfd flags (O_NONBLOCK, O_CLOEXEC).
    public const int NonBlock = 0x800;
    public const int CloseOnExec = 0x80000;

    // Event masks from <sys/inotify.h>.
    public const uint Attrib = 0x00000004;
    public const uint CloseWrite = 0x00000008;
    public const uint MovedFrom = 0x00000040;
    public const uint MovedTo = 0x00000080;
    public const uint Created = 0x00000100;
    public const uint Deleted = 0x00000200;
    public const uint DeleteSelf = 0x00000400;
    public const uint MoveSelf = 0x00000800;
    public const uint Unmount = 0x00002000;
    public const uint QueueOverflow = 0x00004000;
    public const uint Ignored = 0x00008000;
    public const uint OnlyDir = 0x01000000;
    public const uint IsDir = 0x40000000;

    /// <summary>
    /// The events after which a folder's watch no longer watches that path: removed (IN_IGNORED), unmounted, the folder
    /// deleted or moved (a moved folder's watch would follow it to its new name). Drop the watch and watch the path again.
    /// </summary>
    public const uint WatchGone = Ignored | Unmount | DeleteSelf | MoveSelf;

    /// <summary>Size of struct inotify_event without its name: int wd; uint32 mask, cookie, len.</summary>
    public const int EventHeaderSize = 16;

    // poll(2) event bits.
    public const short PollIn = 0x001;
    public const short PollErr = 0x008;
    public const short PollHup = 0x010;
    public const short PollNval = 0x020;

    // errno values used by callers.
    public const int EIntr = 4;
    public const int EAgain = 11;

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "inotify_init1", SetLastError = true)]
    private static partial FdHandle InotifyInit1(int flags);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "inotify_add_watch", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int InotifyAddWatch(FdHandle fd, string path, uint mask);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "inotify_rm_watch", SetLastError = true)]
    private static partial int InotifyRmWatch(FdHandle fd, int wd);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "eventfd", SetLastError = true)]
    private static partial FdHandle EventFdCreate(uint initialValue, int flags);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(FdHandle fd, byte* buffer, nuint count);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(FdHandle fd, byte* buffer, nuint count);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    /// <summary>A non-blocking, close-on-exec inotify descriptor; invalid (with <paramref name="errno"/>) on failure.</summary>
    public static FdHandle Create(out int errno)
    {
        var handle = InotifyInit1(NonBlock | CloseOnExec);
        errno = handle.IsInvalid ? Marshal.GetLastPInvokeError() : 0;
        return handle;
    }

    /// <summary>Watches a directory; the watch descriptor, or -1 with <paramref name="errno"/>.</summary>
    public static int AddWatch(FdHandle inotify, string directory, uint mask, out int errno)
    {
        var wd = InotifyAddWatch(inotify, directory, mask | OnlyDir);
        errno = wd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return wd;
    }

    public static void RemoveWatch(FdHandle inotify, int wd) => _ = InotifyRmWatch(inotify, wd);

    /// <summary>A non-blocking, close-on-exec eventfd used as a wake-up signal; invalid (with <paramref name="errno"/>) on failure.</summary>
    public static FdHandle CreateEventFd(out int errno)
    {
        var handle = EventFdCreate(0, NonBlock | CloseOnExec);
        errno = handle.IsInvalid ? Marshal.GetLastPInvokeError() : 0;
        return handle;
    }

    /// <summary>Makes the eventfd readable. Safe from any thread, and a no-op once the handle is closed.</summary>
    public static void Signal(FdHandle eventFd)
    {
        ulong one = 1;
        try
        {
            _ = Write(eventFd, (byte*)&one, sizeof(ulong));
        }
        catch (ObjectDisposedException)
        {
            // A timer or cancellation callback that lost the race with shutdown: nobody waits any more.
        }
    }

    /// <summary>Resets the eventfd's counter so that the next poll blocks again.</summary>
    public static void Drain(FdHandle eventFd)
    {
        ulong value;
        _ = Read(eventFd, (byte*)&value, sizeof(ulong));
    }

    /// <summary>
    /// Reads whatever events are queued (non-blocking). Returns the byte count, 0 when nothing is queued,
    /// or -1 with <paramref name="errno"/> on a real error.
    /// </summary>
    public static int ReadEvents(FdHandle inotify, Span<byte> buffer, out int errno)
    {
        while (true)
        {
            nint n;
            fixed (byte* p = buffer)
            {
                n = Read(inotify, p, (nuint)buffer.Length);
            }

            if (n >= 0)
            {
                errno = 0;
                return (int)n;
            }

            errno = Marshal.GetLastPInvokeError();
            if (errno == EIntr)
            {
                continue;
            }

            if (errno == EAgain)
            {
                errno = 0;
                return 0;
            }

            return -1;
        }
    }

    /// <summary>
    /// Waits until <paramref name="first"/> or <paramref name="second"/> (either may be null) is readable or
    /// has an error, or the timeout (milliseconds, -1 = forever) passes. Interrupted calls are retried.
    /// </summary>
    public static void WaitReadable(FdHandle? first, FdHandle? second, int timeoutMilliseconds, out bool firstReady, out bool secondReady)
    {
        firstReady = false;
        secondReady = false;
        var firstRef = false;
        var secondRef = false;
        try
        {
            var fds = stackalloc PollFd[2];
            var count = 0;
            int firstIndex = -1, secondIndex = -1;
            if (first is not null)
            {
                first.DangerousAddRef(ref firstRef);
                firstIndex = count;
                fds[count++] = new PollFd { Fd = (int)first.DangerousGetHandle(), Events = PollIn };
            }

            if (second is not null)
            {
                second.DangerousAddRef(ref secondRef);
                secondIndex = count;
                fds[count++] = new PollFd { Fd = (int)second.DangerousGetHandle(), Events = PollIn };
            }

            int rc;
            do
            {
                rc = Poll(fds, (nuint)count, timeoutMilliseconds);
            }
            while (rc < 0 && Marshal.GetLastPInvokeError() == EIntr);

            const short ready = PollIn | PollErr | PollHup | PollNval;
            firstReady = firstIndex >= 0 && (fds[firstIndex].ReturnedEvents & ready) != 0;
            secondReady = secondIndex >= 0 && (fds[secondIndex].ReturnedEvents & ready) != 0;
        }
        finally
        {
            if (firstRef)
            {
                first!.DangerousRelease();
            }

            if (secondRef)
            {
                second!.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Parses the next struct inotify_event at <paramref name="offset"/> and advances past it.
    /// False when the rest of the buffer holds no complete event.
    /// </summary>
    public static bool TryReadEvent(ReadOnlySpan<byte> buffer, ref int offset, out Event inotifyEvent)
    {
        inotifyEvent = default;
        if (offset < 0 || buffer.Length - offset < EventHeaderSize)
        {
            return false;
        }

        var header = buffer.Slice(offset, EventHeaderSize);
        // Native byte order: the kernel writes the struct as the CPU lays it out.
        var wd = MemoryMarshal.Read<int>(header);
        var mask = MemoryMarshal.Read<uint>(header[4..]);
        var cookie = MemoryMarshal.Read<uint>(header[8..]);
        var length = MemoryMarshal.Read<uint>(header[12..]);

        if (length > (uint)(buffer.Length - offset - EventHeaderSize))
        {
            return false;
        }

        // The name is NUL-terminated and padded with more NULs up to len.
        var name = buffer.Slice(offset + EventHeaderSize, (int)length);
        var nul = name.IndexOf((byte)0);
        if (nul >= 0)
        {
            name = name[..nul];
        }

        inotifyEvent = new Event(wd, mask, cookie, name);
        offset += EventHeaderSize + (int)length;
        return true;
    }

    /// <summary>One struct inotify_event; <see cref="Name"/> points into the read buffer (empty for the folder itself).</summary>
    internal readonly ref struct Event(int wd, uint mask, uint cookie, ReadOnlySpan<byte> name)
    {
        public int Wd { get; } = wd;

        public uint Mask { get; } = mask;

        public uint Cookie { get; } = cookie;

        public ReadOnlySpan<byte> Name { get; } = name;
    }

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    /// <summary>A file descriptor that is closed exactly once, and never while a call is using it.</summary>
    internal sealed class FdHandle : SafeHandle
    {
        public FdHandle()
            : base(invalidHandleValue: -1, ownsHandle: true)
        {
        }

        public override bool IsInvalid => handle == -1;

        protected override bool ReleaseHandle() => Inotify.Close((int)handle) == 0;
    }
}
