using System.Runtime.InteropServices;

namespace MjpgStreamer.Native.Interop;

/// <summary>madvise(2).</summary>
internal static unsafe partial class LibcMemory
{
    /// <summary>MADV_DONTNEED (the same number on every Linux architecture).</summary>
    public const int DontNeed = 4;

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "madvise", SetLastError = true)]
    private static partial int MAdvise(nint address, nuint length, int advice);

    public static int Advise(ulong address, ulong length, int advice) =>
        MAdvise((nint)address, (nuint)length, advice) == 0 ? 0 : Marshal.GetLastPInvokeError();
}
