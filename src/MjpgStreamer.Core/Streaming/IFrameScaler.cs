using MjpgStreamer.Core.Frames;

namespace MjpgStreamer.Core.Streaming;

/// <summary>
/// Makes the smaller JPEG of one shape from a source JPEG (MjpgStreamer.Native's JpegScaler with libjpeg-turbo).
/// One instance per worker thread of <see cref="ShapedFrames"/>, never used concurrently; Dispose frees its buffers.
/// </summary>
public interface IFrameScaler : IDisposable
{
    /// <summary>
    /// Writes the scaled JPEG into <paramref name="destination"/> (its content, Width and Height). False, with the
    /// <paramref name="reason"/>, when the source is not a JPEG the scaler can read (the destination is then undefined).
    /// </summary>
    bool TryScale(ReadOnlySpan<byte> jpeg, ShapeKey shape, Frame destination, out string? reason);
}
