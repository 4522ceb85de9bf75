using System.Runtime.InteropServices;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Interop;

namespace MjpgStreamer.Native.Jpeg;

/// <summary>
/// Makes a smaller JPEG from a JPEG (issue 14's scaled streams): libjpeg-turbo decodes at 1/2, 1/4 or 1/8 inside the
/// DCT straight to YUV planes (tjDecompressToYUVPlanes with the scaled size), the planes are resized to the exact size
/// asked when the DCT scale alone does not give it (<see cref="ScaleChoice.Plan"/>, <see cref="PlaneResizer"/>), and
/// compressed again at the asked quality with the source's subsampling (4:4:4, 4:2:2, 4:2:0, 4:4:0, 4:1:1, grey) by
/// tjCompressFromYUVPlanes: never through RGB. The plane and output buffers are native, grow to the largest frame seen
/// and are reused, so a steady stream allocates nothing. One instance per thread.
/// </summary>
public sealed unsafe class JpegScaler : IFrameScaler
{
    private const int ColorspaceCmyk = 3;
    private const int ColorspaceYcck = 4;

    private readonly TurboJpegHandle _decompressor = TurboJpegHandle.CreateDecompressor();
    private readonly TurboJpegHandle _compressor = TurboJpegHandle.CreateCompressor();
    private readonly NativeBuffer _planes = new();
    private readonly NativeBuffer _resized = new();
    private readonly PlaneResizer _resizer = new();
    private readonly NativeBuffer _output = new();
    private long _failures;

    /// <summary>Frames this scaler could not read or encode (corrupt, truncated, CMYK).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Bytes of native buffers held now (planes and output).</summary>
    public long BufferBytes => (long)(_planes.Capacity + _resized.Capacity + _output.Capacity);

    /// <summary>Whether this libturbojpeg decodes at 1/<paramref name="denominator"/> (tjGetScalingFactors).</summary>
    public static bool Supports(int denominator)
    {
        int count;
        var factors = TurboJpeg.GetScalingFactors(&count);
        for (var i = 0; factors is not null && i < count; i++)
        {
            if (factors[i].Num == 1 && factors[i].Denom == denominator)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Scales <paramref name="jpeg"/> by 1/<paramref name="denominator"/> (1, 2, 4, 8) and encodes it at
    /// <paramref name="quality"/>. The result stays valid until the next call or Dispose. False, with the library's
    /// message, when the data is not a JPEG TurboJPEG reads completely (a warning such as a truncated file counts).
    /// </summary>
    public bool TryScale(ReadOnlySpan<byte> jpeg, int denominator, int quality, out ReadOnlySpan<byte> result, out int width, out int height, out string? reason)
        => TryScale(jpeg, ShapeKey.ForScale(denominator, quality), out result, out width, out height, out reason);

    /// <summary>As the other overload, with the scale chosen by <paramref name="shape"/> from the JPEG's size.</summary>
    public bool TryScale(ReadOnlySpan<byte> jpeg, ShapeKey shape, out ReadOnlySpan<byte> result, out int width, out int height, out string? reason)
    {
        ObjectDisposedException.ThrowIf(_decompressor.IsClosed, this);
        result = default;
        width = 0;
        height = 0;
        if (!TryScaleCore(jpeg, shape, out var size, out width, out height, out reason))
        {
            Interlocked.Increment(ref _failures);
            return false;
        }

        result = new ReadOnlySpan<byte>(_output.Pointer, checked((int)size));
        return true;
    }

    /// <inheritdoc/>
    public bool TryScale(ReadOnlySpan<byte> jpeg, ShapeKey shape, Frame destination, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!TryScale(jpeg, shape, out var result, out var width, out var height, out reason))
        {
            return false;
        }

        destination.Write(result);
        destination.Width = width;
        destination.Height = height;
        return true;
    }

    private bool TryScaleCore(ReadOnlySpan<byte> jpeg, ShapeKey shape, out nuint size, out int width, out int height, out string? reason)
    {
        size = 0;
        width = 0;
        height = 0;
        fixed (byte* source = jpeg)
        {
            int sourceWidth, sourceHeight, subsamp, colorspace;
            if (jpeg.IsEmpty || TurboJpeg.DecompressHeader3(_decompressor.Value, source, (nuint)jpeg.Length, &sourceWidth, &sourceHeight, &subsamp, &colorspace) != 0)
            {
                reason = jpeg.IsEmpty ? "empty frame" : TurboJpegHandle.ErrorText(_decompressor.Value);
                return false;
            }

            if (sourceWidth <= 0 || sourceHeight <= 0)
            {
                reason = "no image in the JPEG (tables only)";
                return false;
            }

            if (colorspace is ColorspaceCmyk or ColorspaceYcck || subsamp < 0)
            {
                reason = "a CMYK JPEG or an unknown subsampling has no YUV planes";
                return false;
            }

            var plan = shape.PlanFor(sourceWidth, sourceHeight);
            var planeCount = subsamp == TurboJpeg.SampleFactorGray ? 1 : 3;
            var planes = stackalloc byte*[3];
            var strides = stackalloc int[3];
            var heights = stackalloc int[3];
            if (!LayPlanes(_planes, plan.DecodedWidth, plan.DecodedHeight, subsamp, planeCount, planes, strides, heights, out reason))
            {
                return false;
            }

            if (TurboJpeg.DecompressToYuvPlanes(_decompressor.Value, source, (nuint)jpeg.Length, planes, plan.DecodedWidth, strides, plan.DecodedHeight, 0) != 0)
            {
                reason = TurboJpegHandle.ErrorText(_decompressor.Value);
                return false;
            }

            width = plan.Width;
            height = plan.Height;
            if (plan.Resizes)
            {
                // The DCT scale alone is larger than asked: each plane is resized to the exact size.
                var resized = stackalloc byte*[3];
                var resizedStrides = stackalloc int[3];
                var resizedHeights = stackalloc int[3];
                if (!LayPlanes(_resized, width, height, subsamp, planeCount, resized, resizedStrides, resizedHeights, out reason))
                {
                    return false;
                }

                for (var c = 0; c < planeCount; c++)
                {
                    _resizer.Resize(planes[c], strides[c], heights[c], strides[c], resized[c], resizedStrides[c], resizedHeights[c], resizedStrides[c]);
                    planes[c] = resized[c];
                    strides[c] = resizedStrides[c];
                }
            }

            var bound = TurboJpeg.BufSize(width, height, subsamp);
            if (bound == unchecked((nuint)(-1)))
            {
                reason = TurboJpegHandle.ErrorText(0);
                return false;
            }

            _output.Ensure(bound);
            var output = _output.Pointer;
            var written = _output.Capacity;
            if (TurboJpeg.CompressFromYuvPlanes(_compressor.Value, planes, width, strides, height, subsamp, &output, &written, shape.Quality, TurboJpeg.FlagNoRealloc) != 0)
            {
                reason = TurboJpegHandle.ErrorText(_compressor.Value);
                return false;
            }

            if (output != _output.Pointer)
            {
                // TJFLAG_NOREALLOC: the library must have written into our buffer; anything else would leak.
                TurboJpeg.Free(output);
                reason = "TurboJPEG replaced the output buffer despite TJFLAG_NOREALLOC";
                return false;
            }

            size = written;
            reason = null;
            return true;
        }
    }



    /// <summary>Points <paramref name="planes"/> into <paramref name="buffer"/> (grown as needed) for a picture of that size and subsampling.</summary>
    private static bool LayPlanes(NativeBuffer buffer, int width, int height, int subsamp, int planeCount, byte** planes, int* strides, int* heights, out string? reason)
    {
        nuint total = 0;
        for (var c = 0; c < planeCount; c++)
        {
            strides[c] = TurboJpeg.PlaneWidth(c, width, subsamp);
            heights[c] = TurboJpeg.PlaneHeight(c, height, subsamp);
            if (strides[c] <= 0 || heights[c] <= 0)
            {
                reason = TurboJpegHandle.ErrorText(0);
                return false;
            }

            total += (nuint)strides[c] * (nuint)heights[c];
        }

        buffer.Ensure(total);
        planes[0] = buffer.Pointer;
        planes[1] = planeCount == 3 ? planes[0] + ((nuint)strides[0] * (nuint)heights[0]) : null;
        planes[2] = planeCount == 3 ? planes[1] + ((nuint)strides[1] * (nuint)heights[1]) : null;
        reason = null;
        return true;
    }

    /// <summary>Frees the native buffers and the TurboJPEG handles.</summary>
    public void Dispose()
    {
        _planes.Dispose();
        _resized.Dispose();
        _output.Dispose();
        _decompressor.Dispose();
        _compressor.Dispose();
    }
}
