using System.Runtime.InteropServices;

namespace MjpgStreamer.Native.Interop;

/// <summary>
/// kill(2). Process.Kill only sends SIGKILL; a child such as ffmpeg deserves a SIGTERM first so it can
/// finish cleanly (close its device, write its trailer).
/// </summary>
public static partial class LibcSignals
{
    // Numbers as on x86, x86_64, arm and arm64 (the architectures we ship).
    public const int SigKill = 9;
    public const int SigTerm = 15;

    // SIGSTOP/SIGCONT differ between architectures (MIPS, SPARC, Alpha), but not on the ones we ship.
    public const int SigCont = 18;
    public const int SigStop = 19;

    /// <summary>Sends <paramref name="signal"/>; 0 on success, -1 with errno (ESRCH: no such process).</summary>
    [LibraryImport(NativeLibraries.Libc, EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
