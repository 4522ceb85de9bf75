using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using MjpgStreamer.Native.Interop;

namespace MjpgStreamer.Native;

/// <summary>
/// Opens a file only when it is a regular file (symlinks followed): a FIFO, a device or a directory is refused without
/// blocking (a FIFO without a writer would block open(2), /dev/zero would never end), and the size is read once from
/// the opened descriptor, so a reader can stop there even when the file grows.
/// </summary>
public static class RegularFile
{
    public enum Result
    {
        Opened,

        /// <summary>Missing, not readable, or not a regular file.</summary>
        Refused,
    }

    public static Result TryOpen(string path, out SafeFileHandle? handle, out long size)
    {
        handle = null;
        // Looked at before opening, so a device is never opened at all; looked at again on the descriptor,
        // in case the name was replaced in between.
        if (LibcFiles.StatPath(path, out var regular, out size) != 0 || !regular)
        {
            return Result.Refused;
        }

        int fd;
        do
        {
            fd = LibcFiles.Open(path, LibcFiles.ORdonly | LibcFiles.ONonblock | LibcFiles.ONoctty | LibcFiles.OCloexec);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == LibcFiles.Eintr);

        if (fd < 0)
        {
            return Result.Refused;
        }

        if (LibcFiles.StatDescriptor(fd, out regular, out size) != 0 || !regular)
        {
            LibcFiles.Close(fd);
            return Result.Refused;
        }

        handle = new SafeFileHandle(fd, ownsHandle: true);
        return Result.Opened;
    }
}
