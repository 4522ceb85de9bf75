using System.Runtime.InteropServices;

namespace MjpgStreamer.Native.Interop;

/// <summary>link(2): the BCL makes symbolic links only; output_file's -l is a hard link, as the original's.</summary>
public static partial class LibcLinks
{
    /// <summary>Makes <paramref name="linkPath"/> a second name of <paramref name="existing"/>; an IOException (with errno's text) when it cannot.</summary>
    public static void CreateHardLink(string existing, string linkPath)
    {
        if (Link(existing, linkPath) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"cannot link {linkPath} to {existing}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
        }
    }

    [LibraryImport(NativeLibraries.Libc, EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Link(string existing, string linkPath);
}
