namespace MjpgStreamer.Native.Interop;

/// <summary>Names of the native libraries this project binds to.</summary>
internal static class NativeLibraries
{
    /// <summary>libc's symbols, resolved in the global scope.</summary>
    public const string Libc = "libc";

    /// <summary>libjpeg-turbo's TurboJPEG API; the versioned name, since the unversioned link comes only with -dev.</summary>
    public const string TurboJpeg = "libturbojpeg.so.0";

    /// <summary>SDL 2 (output_viewer.so only): loaded at its first call, so a server without the viewer never maps it.</summary>
    public const string Sdl2 = "libSDL2-2.0.so.0";

    /// <summary>Xlib, which SDL's X11 driver has loaded already when output_viewer.so binds to it.</summary>
    public const string X11 = "libX11.so.6";

    /// <summary>The Debian package that holds <see cref="Sdl2"/>.</summary>
    public const string Sdl2Package = "libsdl2-2.0-0";
}
