using System.Runtime.InteropServices;

namespace MjpgStreamer.Native.Interop;

/// <summary>
/// The parts of libjpeg-turbo's TurboJPEG 2.x API (turbojpeg.h) this project uses. A tjhandle is an
/// opaque pointer; C <c>unsigned long</c> is <see cref="nuint"/> (4 bytes on armhf, 8 on 64-bit Linux).
/// </summary>
internal static unsafe partial class TurboJpeg
{
    public const int SampleFactor444 = 0;
    public const int SampleFactor422 = 1;
    public const int SampleFactor420 = 2;
    public const int SampleFactorGray = 3;
    public const int SampleFactor440 = 4;
    public const int SampleFactor411 = 5;

    public const int PixelFormatRgb = 0;

    /// <summary>TJPF_BGRX: B, G, R, unused, one byte each (SDL's XRGB8888 on a little-endian machine).</summary>
    public const int PixelFormatBgrx = 3;

    /// <summary>TJPF_XRGB: unused, R, G, B (SDL's XRGB8888 on a big-endian machine).</summary>
    public const int PixelFormatXrgb = 5;

    /// <summary>The destination buffer is big enough (sized with tjBufSize): never reallocate it.</summary>
    public const int FlagNoRealloc = 1024;

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjInitCompress")]
    public static partial nint InitCompress();

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjInitDecompress")]
    public static partial nint InitDecompress();

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjDestroy")]
    public static partial int Destroy(nint handle);

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjCompress2")]
    public static partial int Compress2(
        nint handle,
        byte* srcBuf,
        int width,
        int pitch,
        int height,
        int pixelFormat,
        byte** jpegBuf,
        nuint* jpegSize,
        int jpegSubsamp,
        int jpegQual,
        int flags);

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjCompressFromYUVPlanes")]
    public static partial int CompressFromYuvPlanes(
        nint handle,
        byte** srcPlanes,
        int width,
        int* strides,
        int height,
        int subsamp,
        byte** jpegBuf,
        nuint* jpegSize,
        int jpegQual,
        int flags);

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjBufSize")]
    public static partial nuint BufSize(int width, int height, int jpegSubsamp);

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjPlaneWidth")]
    public static partial int PlaneWidth(int componentId, int width, int subsamp);

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjPlaneHeight")]
    public static partial int PlaneHeight(int componentId, int height, int subsamp);

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjDecompressHeader3")]
    public static partial int DecompressHeader3(
        nint handle,
        byte* jpegBuf,
        nuint jpegSize,
        int* width,
        int* height,
        int* jpegSubsamp,
        int* jpegColorspace);

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjDecompress2")]
    public static partial int Decompress2(
        nint handle,
        byte* jpegBuf,
        nuint jpegSize,
        byte* dstBuf,
        int width,
        int pitch,
        int height,
        int pixelFormat,
        int flags);

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjDecompressToYUVPlanes")]
    public static partial int DecompressToYuvPlanes(
        nint handle,
        byte* jpegBuf,
        nuint jpegSize,
        byte** dstPlanes,
        int width,
        int* strides,
        int height,
        int flags);

    /// <summary>tjscalingfactor (turbojpeg.h): num/denom.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ScalingFactor
    {
        public int Num;
        public int Denom;
    }

    /// <summary>The scale factors the decompressor supports (a static array of the library's; never free it).</summary>
    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjGetScalingFactors")]
    public static partial ScalingFactor* GetScalingFactors(int* count);

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjInitTransform")]
    public static partial nint InitTransform();

    /// <summary>tjtransform (turbojpeg.h): the crop region, the operation, its options, and a custom filter (unused).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Transform
    {
        public int X;
        public int Y;
        public int W;
        public int H;
        public int Op;
        public int Options;
        public nint Data;
        public nint CustomFilter;
    }

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjTransform")]
    public static partial int TransformImage(
        nint handle,
        byte* jpegBuf,
        nuint jpegSize,
        int n,
        byte** dstBufs,
        nuint* dstSizes,
        Transform* transforms,
        int flags);

    /// <summary>The last error for the handle, or the last global error (thread-local) for a null handle. Never free it.</summary>
    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjGetErrorStr2")]
    public static partial byte* GetErrorStr2(nint handle);

    /// <summary>TJERR_WARNING (the picture was decoded, with a defect such as a truncated end) or TJERR_FATAL.</summary>
    public const int ErrorWarning = 0;

    /// <summary>The kind of the last error for the handle: <see cref="ErrorWarning"/> or fatal (1).</summary>
    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjGetErrorCode")]
    public static partial int GetErrorCode(nint handle);

    /// <summary>Frees a buffer TurboJPEG allocated (only needed when it was allowed to allocate).</summary>
    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjFree")]
    public static partial void Free(byte* buffer);
}
