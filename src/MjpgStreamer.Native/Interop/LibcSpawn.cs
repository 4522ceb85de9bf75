using System.Runtime.InteropServices;

namespace MjpgStreamer.Native.Interop;

/// <summary>
/// posix_spawn and waitid, for <see cref="Sources.ChildProcess"/>: System.Diagnostics.Process cannot put a child in a
/// process group of its own, and without one a stop cannot reach everything the child started.
/// </summary>
internal static unsafe partial class LibcSpawn
{
    // Values as in glibc and musl on the architectures we ship.
    public const int OCloexec = 0x80000;
    public const int ORdonly = 0;
    public const short SpawnSetPgroup = 0x02;
    public const short SpawnSetSigDef = 0x04;
    public const short SpawnSetSigMask = 0x08;
    public const int PPid = 1;
    public const int WNoHang = 1;
    public const int WExited = 4;
    public const int WNoWait = 0x01000000;
    public const int XOk = 1;
    public const int EIntr = 4;
    public const int EChild = 10;

    /// <summary>Bigger than posix_spawn_file_actions_t, posix_spawnattr_t and sigset_t of glibc and musl (at most 336 bytes).</summary>
    public const int OpaqueSize = 1024;

    /// <summary>Bigger than siginfo_t (128 bytes).</summary>
    public const int SigInfoSize = 256;

    /// <summary>Returns 0 or an errno (posix_spawn does not set errno).</summary>
    [LibraryImport(NativeLibraries.Libc, EntryPoint = "posix_spawn")]
    public static partial int Spawn(out int pid, byte* path, void* fileActions, void* attributes, byte** argv, byte** envp);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "posix_spawn_file_actions_init")]
    public static partial int FileActionsInit(void* fileActions);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "posix_spawn_file_actions_destroy")]
    public static partial int FileActionsDestroy(void* fileActions);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "posix_spawn_file_actions_adddup2")]
    public static partial int FileActionsAddDup2(void* fileActions, int fd, int newFd);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "posix_spawn_file_actions_addopen")]
    public static partial int FileActionsAddOpen(void* fileActions, int fd, byte* path, int flags, uint mode);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "posix_spawnattr_init")]
    public static partial int AttrInit(void* attributes);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "posix_spawnattr_destroy")]
    public static partial int AttrDestroy(void* attributes);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "posix_spawnattr_setflags")]
    public static partial int AttrSetFlags(void* attributes, short flags);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "posix_spawnattr_setpgroup")]
    public static partial int AttrSetPgroup(void* attributes, int pgroup);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "posix_spawnattr_setsigmask")]
    public static partial int AttrSetSigMask(void* attributes, void* mask);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "posix_spawnattr_setsigdefault")]
    public static partial int AttrSetSigDefault(void* attributes, void* signals);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "sigemptyset")]
    public static partial int SigEmptySet(void* set);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "sigfillset")]
    public static partial int SigFillSet(void* set);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(int* fds, int flags);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "access", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Access(string path, int mode);

    /// <summary>With <see cref="WNoWait"/> the child stays a zombie, so its pid (and process group) cannot be reused yet.</summary>
    [LibraryImport(NativeLibraries.Libc, EntryPoint = "waitid", SetLastError = true)]
    public static partial int WaitId(int idType, int id, void* info, int options);

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "waitpid", SetLastError = true)]
    public static partial int WaitPid(int pid, out int status, int options);
}
