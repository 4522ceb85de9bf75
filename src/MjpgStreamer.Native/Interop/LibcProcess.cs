using System.Runtime.InteropServices;

namespace MjpgStreamer.Native.Interop;

/// <summary>The few process calls -b needs (a new session, standard streams on /dev/null), and the kernel thread id.</summary>
internal static partial class LibcProcess
{
    private const int ORdwr = 2;

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "setsid", SetLastError = true)]
    private static partial int SetSid();

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2(int oldFd, int newFd);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    /// <summary>The calling thread's kernel id (its /proc/self/task entry).</summary>
    [LibraryImport(NativeLibraries.Libc, EntryPoint = "gettid")]
    public static partial int GetThreadId();

    /// <summary>Leaves the parent's session and points stdin, stdout and stderr at /dev/null.</summary>
    public static void Detach()
    {
        if (SetSid() < 0)
        {
            throw new InvalidOperationException($"setsid failed (errno {Marshal.GetLastPInvokeError()})");
        }

        var devNull = Open("/dev/null", ORdwr);
        if (devNull < 0)
        {
            throw new InvalidOperationException($"cannot open /dev/null (errno {Marshal.GetLastPInvokeError()})");
        }

        for (var fd = 0; fd <= 2; fd++)
        {
            Dup2(devNull, fd);
        }

        if (devNull > 2)
        {
            Close(devNull);
        }
    }
}
