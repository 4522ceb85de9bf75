namespace MjpgStreamer.Native.Interop;

/// <summary>Names of the native libraries this project binds to.</summary>
internal static class NativeLibraries
{
    /// <summary>libc's symbols, resolved in the global scope.</summary>
    public const string Libc = "libc";

    /// <summary>libjpeg-turbo's TurboJPEG API; the versioned name, since the unversioned link comes only with -dev.</summary>
    public const string TurboJpeg = "libturbojpeg.so.0";
}
