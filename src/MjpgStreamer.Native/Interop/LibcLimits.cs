using System.Runtime.InteropServices;

namespace MjpgStreamer.Native.Interop;

/// <summary>
/// prlimit64(2): takes 64-bit limits on every architecture (plain getrlimit's rlim_t is 32 bits on armhf without
/// _FILE_OFFSET_BITS=64), so one struct layout fits all.
/// </summary>
internal static unsafe partial class LibcLimits
{
    /// <summary>RLIMIT_NOFILE on x86, x86_64, arm and aarch64.</summary>
    public const int RlimitNofile = 7;

    public const ulong Infinity = ulong.MaxValue;

    [StructLayout(LayoutKind.Sequential)]
    public struct Rlimit64
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "prlimit64", SetLastError = true)]
    private static partial int PrLimit64(int pid, int resource, Rlimit64* newLimit, Rlimit64* oldLimit);

    public static int Get(int resource, out Rlimit64 limit)
    {
        Rlimit64 old;
        var result = PrLimit64(0, resource, null, &old);
        limit = old;
        return result == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    public static int Set(int resource, Rlimit64 limit) =>
        PrLimit64(0, resource, &limit, null) == 0 ? 0 : Marshal.GetLastPInvokeError();
}
