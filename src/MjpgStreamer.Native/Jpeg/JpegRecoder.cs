using MjpgStreamer.Native.Interop;

namespace MjpgStreamer.Native.Jpeg;

/// <summary>
/// Re-codes a JPEG losslessly (libjpeg-turbo's tjTransform, no operation): the DCT coefficients are kept, the entropy
/// coding is written again as baseline with the standard Huffman tables of T.81 Annex K (libjpeg's defaults when
/// optimisation is not asked for) and no restart interval. RTP/JPEG (RFC 2435) cannot carry Huffman tables, so frames
/// with their own (ffmpeg's optimal tables, progressive JPEGs) go through this before they are packetised. One
/// instance per thread; the output buffer is TurboJPEG's and is reused from frame to frame.
/// </summary>
public sealed unsafe class JpegRecoder : IDisposable
{
    private readonly TurboJpegHandle _handle = TurboJpegHandle.CreateTransformer();
    private byte* _buffer;
    private nuint _capacity;

    /// <summary>
    /// Re-codes <paramref name="jpeg"/>; the result stays valid until the next call or Dispose. False (with the
    /// library's message) when TurboJPEG refuses the image.
    /// </summary>
    public bool TryRecode(ReadOnlySpan<byte> jpeg, out ReadOnlySpan<byte> result, out string? error)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        var transform = default(TurboJpeg.Transform);
        var buffer = _buffer;
        var size = _capacity;
        int status;
        fixed (byte* source = jpeg)
        {
            status = TurboJpeg.TransformImage(_handle.Value, source, (nuint)jpeg.Length, 1, &buffer, &size, &transform, 0);
        }

        // TurboJPEG may have replaced the buffer (a bigger one) even when it failed.
        _buffer = buffer;
        if (status != 0)
        {
            result = default;
            error = TurboJpegHandle.ErrorText(_handle.Value);
            return false;
        }

        // The buffer's size is not reported separately: keep the larger of the two as what can be reused.
        _capacity = size > _capacity ? size : _capacity;
        result = new ReadOnlySpan<byte>(buffer, checked((int)size));
        error = null;
        return true;
    }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            TurboJpeg.Free(_buffer);
            _buffer = null;
        }

        _handle.Dispose();
    }
}
