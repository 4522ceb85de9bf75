using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Streaming;

namespace MjpgStreamer.Native.Sources;

/// <summary>
/// Publishes the JPEGs a child writes to its stdout (back to back or multipart) until the stream ends;
/// malformed, truncated or oversized frames are dropped and counted, never published.
/// </summary>
internal sealed class MjpegFramePump
{
    private long _corruptFrames;

    /// <summary>Frames dropped as malformed, truncated or too large, over all pumps.</summary>
    public long CorruptFrames => Interlocked.Read(ref _corruptFrames);

    /// <summary>Reads frames until the stream ends; returns how many this run dropped as corrupt.</summary>
    /// <param name="inspect">Sees each good frame before it is published (e.g. to check its size).</param>
    /// <param name="boundary">The multipart boundary when known beforehand (an HTTP response's), else null.</param>
    /// <param name="admit">Decides whether a good frame is published (a frame-rate limit); null: every frame.</param>
    public async Task<long> PumpAsync(SourceContext context, Stream stdout, Action<Frame>? inspect, CancellationToken cancellation, string? boundary = null, Func<Frame, bool>? admit = null)
    {
        var reader = new MjpegStreamReader(stdout, boundary);
        var invalid = 0L;
        try
        {
            while (true)
            {
                var frame = context.RentFrame();
                bool complete;
                try
                {
                    complete = await reader.ReadFrameAsync(frame, cancellation).ConfigureAwait(false);
                }
                catch
                {
                    frame.Release();
                    throw;
                }

                if (!complete)
                {
                    frame.Release();
                    return invalid + reader.CorruptFrames;
                }

                if (!JpegInfo.IsWellFormed(frame.Span))
                {
                    frame.Release();
                    invalid++;
                    Interlocked.Increment(ref _corruptFrames);
                    continue;
                }

                if (admit is not null && !admit(frame))
                {
                    context.Beat();
                    frame.Release();
                    continue;
                }

                inspect?.Invoke(frame);
                context.Publish(frame);
            }
        }
        finally
        {
            Interlocked.Add(ref _corruptFrames, reader.CorruptFrames);
        }
    }
}
