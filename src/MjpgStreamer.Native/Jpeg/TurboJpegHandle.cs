using System.Runtime.InteropServices;
using MjpgStreamer.Native.Interop;

namespace MjpgStreamer.Native.Jpeg;

/// <summary>
/// Owns one tjhandle. A SafeHandle so that a forgotten Dispose still frees the native state, and so a
/// missing libturbojpeg turns into one clear message at the first use instead of a DllNotFoundException.
/// </summary>
internal sealed unsafe class TurboJpegHandle : SafeHandle
{
    public const string MissingLibraryMessage = "libturbojpeg.so.0 not found: install the Debian package libturbojpeg0";

    private TurboJpegHandle(nint handle)
        : base(0, ownsHandle: true)
    {
        SetHandle(handle);
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>The raw handle; callers use it only while they hold this object and never concurrently.</summary>
    public nint Value
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            return handle;
        }
    }

    public static TurboJpegHandle CreateCompressor() => Create(compress: true);

    public static TurboJpegHandle CreateDecompressor() => Create(compress: false);

    /// <summary>A lossless transformer (tjTransform).</summary>
    public static TurboJpegHandle CreateTransformer()
    {
        nint raw;
        try
        {
            raw = TurboJpeg.InitTransform();
        }
        catch (DllNotFoundException ex)
        {
            throw new InvalidOperationException(MissingLibraryMessage, ex);
        }

        if (raw == 0)
        {
            throw new InvalidOperationException($"TurboJPEG could not create a transformer: {ErrorText(0)}");
        }

        return new TurboJpegHandle(raw);
    }

    /// <summary>The error text TurboJPEG keeps for this handle (or the thread's global error for 0).</summary>
    public static string ErrorText(nint handle)
    {
        var text = TurboJpeg.GetErrorStr2(handle);
        return text is null ? "unknown TurboJPEG error" : Marshal.PtrToStringUTF8((nint)text) ?? "unknown TurboJPEG error";
    }

    private static TurboJpegHandle Create(bool compress)
    {
        nint raw;
        try
        {
            raw = compress ? TurboJpeg.InitCompress() : TurboJpeg.InitDecompress();
        }
        catch (DllNotFoundException ex)
        {
            throw new InvalidOperationException(MissingLibraryMessage, ex);
        }
        catch (EntryPointNotFoundException ex)
        {
            throw new InvalidOperationException($"{NativeLibraries.TurboJpeg} lacks the TurboJPEG 2 API: install libturbojpeg0 from libjpeg-turbo 2.0 or later", ex);
        }

        if (raw == 0)
        {
            throw new InvalidOperationException($"TurboJPEG could not create a {(compress ? "compressor" : "decompressor")}: {ErrorText(0)}");
        }

        return new TurboJpegHandle(raw);
    }

    protected override bool ReleaseHandle() => TurboJpeg.Destroy(handle) == 0;
}
