using System.Runtime.InteropServices;

namespace MjpgStreamer.Native.Interop;

/// <summary>
/// The one Xlib call output_viewer.so makes itself. By default Xlib ends the whole process (exit 1) when a connection
/// to the X server breaks (the X server stopped, the desktop session ended); output_viewer.so's handler keeps the
/// server alive and stops only the viewer.
/// </summary>
internal static unsafe partial class Xlib
{
    /// <summary>XSetIOErrorHandler (process-wide; returns the previous handler). The handler must not return.</summary>
    [LibraryImport(NativeLibraries.X11, EntryPoint = "XSetIOErrorHandler")]
    public static partial nint SetIoErrorHandler(delegate* unmanaged<nint, int> handler);

    /// <summary>
    /// XUnlockDisplay: Xlib's I/O error path (libX11 1.7 and later) holds the display's user lock while the handler
    /// runs, for the thread that will call exit(); a handler that never returns must let it go, or the libraries' exit
    /// handlers (libGLX's) wait for it for ever.
    /// </summary>
    [LibraryImport(NativeLibraries.X11, EntryPoint = "XUnlockDisplay")]
    public static partial void UnlockDisplay(nint display);

    /// <summary>
    /// XSetIOErrorExitHandler (libX11 1.7 and later): what runs after the I/O error handler instead of exit(1); one that
    /// returns leaves the display marked broken, and Xlib's calls on it return at once.
    /// </summary>
    [LibraryImport(NativeLibraries.X11, EntryPoint = "XSetIOErrorExitHandler")]
    public static partial void SetIoErrorExitHandler(nint display, delegate* unmanaged<nint, nint, void> handler, nint userData);
}
