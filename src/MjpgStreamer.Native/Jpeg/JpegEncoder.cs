using MjpgStreamer.Core.Frames;
using MjpgStreamer.Native.Interop;

namespace MjpgStreamer.Native.Jpeg;

/// <summary>
/// Encodes pictures into pooled frames with libjpeg-turbo, straight into the frame's buffer (no copy,
/// no native allocation of the output). One instance per thread: it is not thread safe.
/// Failures throw <see cref="InvalidOperationException"/> with TurboJPEG's message; with valid
/// arguments they mean a bug or a broken installation, not a bad frame.
/// </summary>
public sealed unsafe class JpegEncoder : IDisposable
{
    private readonly TurboJpegHandle _handle;

    /// <exception cref="InvalidOperationException">libturbojpeg.so.0 is missing or unusable.</exception>
    public JpegEncoder()
    {
        _handle = TurboJpegHandle.CreateCompressor();
    }

    /// <summary>Loads libturbojpeg once, so a missing library is a start-up error rather than a failure on the first frame.</summary>
    /// <exception cref="InvalidOperationException">libturbojpeg.so.0 is missing or unusable.</exception>
    public static void EnsureLibraryAvailable()
    {
        using var probe = TurboJpegHandle.CreateCompressor();
    }

    /// <summary>The most bytes a JPEG of this size can take (TurboJPEG's tjBufSize): the frame capacity the encoder asks for.</summary>
    /// <param name="subsamp">0 = 4:4:4, 1 = 4:2:2, 2 = 4:2:0; <see cref="EncodeRgb"/> uses 4:2:0.</param>
    public static int MaxEncodedLength(int width, int height, int subsamp)
    {
        CheckSize(width, height);
        _ = ChromaShift(subsamp);
        try
        {
            return OutputCapacity(width, height, subsamp);
        }
        catch (DllNotFoundException ex)
        {
            throw new InvalidOperationException(TurboJpegHandle.MissingLibraryMessage, ex);
        }
    }

    /// <summary>
    /// Width and height of one plane of a planar YUV picture as TurboJPEG expects it: component 0 is Y,
    /// 1 and 2 are U and V. Odd luma sizes are padded to the chroma block (641 wide at 4:2:0 → Y 642, U 321).
    /// </summary>
    public static (int Width, int Height) PlaneSize(int component, int width, int height, int subsamp)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(component);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(component, 2);
        CheckSize(width, height);
        var (xShift, yShift) = ChromaShift(subsamp);
        var lumaWidth = ((width + (1 << xShift) - 1) >> xShift) << xShift;
        var lumaHeight = ((height + (1 << yShift) - 1) >> yShift) << yShift;
        return component == 0 ? (lumaWidth, lumaHeight) : (lumaWidth >> xShift, lumaHeight >> yShift);
    }

    /// <summary>
    /// Encodes packed RGB24 (3 bytes per pixel, rows without padding) as 4:2:0 into <paramref name="destination"/>,
    /// replacing its content and setting its Length, Width and Height.
    /// </summary>
    /// <returns>The JPEG's length in bytes.</returns>
    public int EncodeRgb(ReadOnlySpan<byte> rgb, int width, int height, int quality, Frame destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        CheckSize(width, height);
        CheckQuality(quality);
        if (rgb.Length < (long)width * height * 3)
        {
            throw new ArgumentException($"{rgb.Length} bytes are too few for a {width}x{height} RGB picture", nameof(rgb));
        }

        var capacity = OutputCapacity(width, height, TurboJpeg.SampleFactor420);
        var output = destination.GetWritableSpan(capacity);
        var handle = _handle.Value;
        nuint size = (nuint)output.Length;
        int result;
        fixed (byte* source = rgb)
        fixed (byte* buffer = output)
        {
            var jpeg = buffer;
            result = TurboJpeg.Compress2(handle, source, width, width * 3, height, TurboJpeg.PixelFormatRgb, &jpeg, &size, TurboJpeg.SampleFactor420, quality, TurboJpeg.FlagNoRealloc);
            CheckBufferKept(jpeg, buffer);
        }

        return Finish(result, size, width, height, destination);
    }

    /// <summary>The subsampling of 4:2:2 planes (YUYV, UYVY) for <see cref="EncodeYuvPlanes"/>.</summary>
    public const int Subsampling422 = TurboJpeg.SampleFactor422;

    /// <summary>
    /// Encodes planar YUV (BT.601 full range, as JPEG uses) into <paramref name="destination"/>. Each plane is
    /// tightly packed with the size <see cref="PlaneSize"/> gives.
    /// </summary>
    /// <param name="subsamp">0 = 4:4:4, 1 = 4:2:2, 2 = 4:2:0 (TurboJPEG's TJSAMP values).</param>
    /// <returns>The JPEG's length in bytes.</returns>
    public int EncodeYuvPlanes(ReadOnlySpan<byte> y, ReadOnlySpan<byte> u, ReadOnlySpan<byte> v, int width, int height, int subsamp, int quality, Frame destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        CheckQuality(quality);
        var (lumaWidth, lumaHeight) = PlaneSize(0, width, height, subsamp);
        var (chromaWidth, chromaHeight) = PlaneSize(1, width, height, subsamp);
        CheckPlane(y, lumaWidth, lumaHeight, nameof(y));
        CheckPlane(u, chromaWidth, chromaHeight, nameof(u));
        CheckPlane(v, chromaWidth, chromaHeight, nameof(v));

        var capacity = OutputCapacity(width, height, subsamp);
        var output = destination.GetWritableSpan(capacity);
        var handle = _handle.Value;
        nuint size = (nuint)output.Length;
        int result;
        var strides = stackalloc int[3] { lumaWidth, chromaWidth, chromaWidth };
        fixed (byte* yPlane = y)
        fixed (byte* uPlane = u)
        fixed (byte* vPlane = v)
        fixed (byte* buffer = output)
        {
            var planes = stackalloc byte*[3] { yPlane, uPlane, vPlane };
            var jpeg = buffer;
            result = TurboJpeg.CompressFromYuvPlanes(handle, planes, width, strides, height, subsamp, &jpeg, &size, quality, TurboJpeg.FlagNoRealloc);
            CheckBufferKept(jpeg, buffer);
        }

        return Finish(result, size, width, height, destination);
    }

    public void Dispose() => _handle.Dispose();

    private int Finish(int result, nuint size, int width, int height, Frame destination)
    {
        if (result != 0)
        {
            throw new InvalidOperationException($"JPEG encoding failed: {TurboJpegHandle.ErrorText(_handle.Value)}");
        }

        destination.SetLength(checked((int)size));
        destination.Width = width;
        destination.Height = height;
        return (int)size;
    }

    private static int OutputCapacity(int width, int height, int subsamp)
    {
        var bound = TurboJpeg.BufSize(width, height, subsamp);
        if (bound == unchecked((nuint)(-1)) || bound > (nuint)Array.MaxLength)
        {
            throw new InvalidOperationException($"TurboJPEG cannot size the output of a {width}x{height} picture: {TurboJpegHandle.ErrorText(0)}");
        }

        return (int)bound;
    }

    private static void CheckBufferKept(byte* jpeg, byte* buffer)
    {
        // With TJFLAG_NOREALLOC the library writes into our buffer; anything else would leak native memory.
        if (jpeg != buffer)
        {
            TurboJpeg.Free(jpeg);
            throw new InvalidOperationException("TurboJPEG replaced the output buffer despite TJFLAG_NOREALLOC");
        }
    }

    private static void CheckPlane(ReadOnlySpan<byte> plane, int width, int height, string name)
    {
        if (plane.Length < (long)width * height)
        {
            throw new ArgumentException($"plane {name} has {plane.Length} bytes, a {width}x{height} plane needs {(long)width * height}", name);
        }
    }

    private static void CheckSize(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
    }

    private static void CheckQuality(int quality)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
    }

    private static (int XShift, int YShift) ChromaShift(int subsamp) => subsamp switch
    {
        TurboJpeg.SampleFactor444 => (0, 0),
        TurboJpeg.SampleFactor422 => (1, 0),
        TurboJpeg.SampleFactor420 => (1, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(subsamp), subsamp, "0 (4:4:4), 1 (4:2:2) or 2 (4:2:0)"),
    };
}
