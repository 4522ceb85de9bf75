using System.Runtime.InteropServices;
using MjpgStreamer.Native.Interop;

namespace MjpgStreamer.Native.Jpeg;

/// <summary>
/// Re-encodes a JPEG whose layout RTP/JPEG (RFC 2435) cannot describe into one it can, with standard Huffman tables
/// and no restart interval. This is lossy (a second quantization), unlike <see cref="JpegRecoder"/>: ffmpeg's 4:2:2 has
/// the very blocks RTP/JPEG's 4:2:2 needs, only interleaved in 16x16 instead of 16x8 MCUs, but tjTransform keeps the
/// sampling factors and libturbojpeg exports no libjpeg coefficient API (jpeg_read_coefficients), so a lossless path
/// would need an entropy decoder and encoder of our own. (TJ_RESTART and TJ_OPTIMIZE in the environment change what
/// TurboJPEG writes; the caller parses the result again.) 4:2:2 and 4:2:0 however the source wrote them (ffmpeg's yuvj422p is Y 2x2 with
/// Cb/Cr 1x2) go through YUV planes (no colour conversion, no resampling) and come out as Y 2x1 or Y 2x2 with Cb/Cr 1x1;
/// 4:4:4 and 4:1:1 become 4:2:2, 4:4:0 and grayscale 4:2:0, through RGB. One instance per thread; the plane and
/// output buffers are native, grow to the largest frame seen and are reused.
/// </summary>
public sealed unsafe class JpegReencoder : IDisposable
{
    private readonly TurboJpegHandle _decompressor = TurboJpegHandle.CreateDecompressor();
    private readonly TurboJpegHandle _compressor = TurboJpegHandle.CreateCompressor();
    private readonly NativeBuffer _pixels = new();
    private readonly NativeBuffer _output = new();

    /// <summary>
    /// Re-encodes <paramref name="jpeg"/> at <paramref name="quality"/> (1..100, IJG scale); the result stays valid
    /// until the next call or Dispose. False (with the library's message) when TurboJPEG refuses the image.
    /// </summary>
    public bool TryReencode(ReadOnlySpan<byte> jpeg, int quality, out ReadOnlySpan<byte> result, out string? error)
    {
        ObjectDisposedException.ThrowIf(_decompressor.IsClosed, this);
        result = default;
        quality = Math.Clamp(quality, 1, 100);
        fixed (byte* source = jpeg)
        {
            int width, height, subsamp, colorspace;
            if (TurboJpeg.DecompressHeader3(_decompressor.Value, source, (nuint)jpeg.Length, &width, &height, &subsamp, &colorspace) != 0)
            {
                error = TurboJpegHandle.ErrorText(_decompressor.Value);
                return false;
            }

            if (width <= 0 || height <= 0)
            {
                error = "no image in the JPEG (tables only)";
                return false;
            }

            var viaPlanes = subsamp is TurboJpeg.SampleFactor422 or TurboJpeg.SampleFactor420;
            var target = subsamp switch
            {
                TurboJpeg.SampleFactor422 or TurboJpeg.SampleFactor444 or TurboJpeg.SampleFactor411 => TurboJpeg.SampleFactor422,
                _ => TurboJpeg.SampleFactor420,
            };
            _output.Ensure(TurboJpeg.BufSize(width, height, target));
            var output = _output.Pointer;
            var size = _output.Capacity;
            int status;
            if (viaPlanes)
            {
                var planes = stackalloc byte*[3];
                var strides = stackalloc int[3];
                nuint total = 0;
                for (var c = 0; c < 3; c++)
                {
                    strides[c] = TurboJpeg.PlaneWidth(c, width, subsamp);
                    total += (nuint)strides[c] * (nuint)TurboJpeg.PlaneHeight(c, height, subsamp);
                }

                _pixels.Ensure(total);
                planes[0] = _pixels.Pointer;
                planes[1] = planes[0] + (strides[0] * TurboJpeg.PlaneHeight(0, height, subsamp));
                planes[2] = planes[1] + (strides[1] * TurboJpeg.PlaneHeight(1, height, subsamp));
                if (TurboJpeg.DecompressToYuvPlanes(_decompressor.Value, source, (nuint)jpeg.Length, planes, width, strides, height, 0) != 0)
                {
                    error = TurboJpegHandle.ErrorText(_decompressor.Value);
                    return false;
                }

                status = TurboJpeg.CompressFromYuvPlanes(
                    _compressor.Value, planes, width, strides, height, subsamp, &output, &size, quality, TurboJpeg.FlagNoRealloc);
            }
            else
            {
                var pitch = width * 3;
                _pixels.Ensure((nuint)pitch * (nuint)height);
                if (TurboJpeg.Decompress2(_decompressor.Value, source, (nuint)jpeg.Length, _pixels.Pointer, width, pitch, height, TurboJpeg.PixelFormatRgb, 0) != 0)
                {
                    error = TurboJpegHandle.ErrorText(_decompressor.Value);
                    return false;
                }

                status = TurboJpeg.Compress2(
                    _compressor.Value, _pixels.Pointer, width, pitch, height, TurboJpeg.PixelFormatRgb, &output, &size, target, quality, TurboJpeg.FlagNoRealloc);
            }

            if (status != 0)
            {
                error = TurboJpegHandle.ErrorText(_compressor.Value);
                return false;
            }

            result = new ReadOnlySpan<byte>(output, checked((int)size));
            error = null;
            return true;
        }
    }



    public void Dispose()
    {
        _pixels.Dispose();
        _output.Dispose();
        _decompressor.Dispose();
        _compressor.Dispose();
    }
}
