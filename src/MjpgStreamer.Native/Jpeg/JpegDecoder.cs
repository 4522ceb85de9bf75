using MjpgStreamer.Native.Interop;

namespace MjpgStreamer.Native.Jpeg;

/// <summary>
/// Reads JPEGs with libjpeg-turbo: the size from the header, or the whole picture as RGB24. For checks
/// and tools, not the streaming path (it allocates the output). Not thread safe.
/// </summary>
public sealed unsafe class JpegDecoder : IDisposable
{
    private readonly TurboJpegHandle _handle;

    /// <exception cref="InvalidOperationException">libturbojpeg.so.0 is missing or unusable.</exception>
    public JpegDecoder()
    {
        _handle = TurboJpegHandle.CreateDecompressor();
    }

    /// <summary>The picture size from the JPEG header; false when the data is not a JPEG TurboJPEG can read.</summary>
    public bool TryReadHeader(ReadOnlySpan<byte> jpeg, out int width, out int height)
    {
        var handle = _handle.Value;
        int w, h, subsamp, colorspace;
        int result;
        fixed (byte* data = jpeg)
        {
            result = TurboJpeg.DecompressHeader3(handle, data, (nuint)jpeg.Length, &w, &h, &subsamp, &colorspace);
        }

        width = result == 0 ? w : 0;
        height = result == 0 ? h : 0;
        return result == 0;
    }

    /// <summary>Decodes the whole picture to packed RGB24; a warning (a truncated file, say) counts as a failure.</summary>
    /// <exception cref="InvalidDataException">The data is not a complete, readable JPEG.</exception>
    public byte[] DecodeToRgb(ReadOnlySpan<byte> jpeg, out int width, out int height)
    {
        if (!TryReadHeader(jpeg, out width, out height))
        {
            throw new InvalidDataException($"not a readable JPEG: {TurboJpegHandle.ErrorText(_handle.Value)}");
        }

        var rgb = new byte[checked(width * height * 3)];
        int result;
        fixed (byte* data = jpeg)
        fixed (byte* pixels = rgb)
        {
            result = TurboJpeg.Decompress2(_handle.Value, data, (nuint)jpeg.Length, pixels, width, width * 3, height, TurboJpeg.PixelFormatRgb, 0);
        }

        if (result != 0)
        {
            throw new InvalidDataException($"JPEG decoding failed: {TurboJpegHandle.ErrorText(_handle.Value)}");
        }

        return rgb;
    }

    public void Dispose() => _handle.Dispose();
}
