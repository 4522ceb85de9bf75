using System.Runtime.InteropServices;

namespace MjpgStreamer.Soak;

/// <summary>The one libc call the soak needs: kill(2), for SIGTERM.</summary>
internal static partial class Posix
{
    public const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
