using MjpgStreamer.Core.Frames;

namespace MjpgStreamer.Core.Mjpeg;

/// <summary>
/// The size limit of the frame being assembled and the count of dropped frames, shared by the JPEG scanner
/// and the multipart framer of one stream. A frame that grows past the limit is emptied and counted once;
/// its remaining bytes are then ignored until the parser finds its end.
/// </summary>
internal sealed class BoundedFrameWriter
{
    private readonly int _maxFrameBytes;
    private long _corruptFrames;

    public BoundedFrameWriter(int maxFrameBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameBytes, 4);
        _maxFrameBytes = maxFrameBytes;
    }

    /// <summary>Frames dropped because they were malformed, truncated or larger than the limit (read from any thread).</summary>
    public long CorruptFrames => Interlocked.Read(ref _corruptFrames);

    /// <summary>The current frame grew past the limit: its bytes are skipped up to its end.</summary>
    public bool Discarding { get; private set; }

    /// <summary>Starts a new, empty frame in <paramref name="destination"/>.</summary>
    public void Begin(Frame destination)
    {
        destination.SetLength(0);
        Discarding = false;
    }

    /// <summary>Appends unless the frame is being discarded; past the limit it empties the frame and counts it.</summary>
    public void Append(Frame destination, ReadOnlySpan<byte> data)
    {
        if (Discarding || data.IsEmpty)
        {
            return;
        }

        if ((long)destination.Length + data.Length > _maxFrameBytes)
        {
            Discarding = true;
            destination.SetLength(0);
            CountCorrupt();
            return;
        }

        destination.Append(data);
    }

    /// <summary>
    /// The parser reached the frame's end: true when it is whole, false when it was being discarded (already
    /// counted). Either way the next frame starts clean.
    /// </summary>
    public bool End()
    {
        if (Discarding)
        {
            Discarding = false;
            return false;
        }

        return true;
    }

    /// <summary>The frame in progress is broken or cut short: count it, unless the limit already did.</summary>
    public void Drop()
    {
        if (!Discarding)
        {
            CountCorrupt();
        }

        Discarding = false;
    }

    /// <summary>Forgets the frame in progress without counting it (the end of the stream after the last frame).</summary>
    public void Reset() => Discarding = false;

    public void CountCorrupt() => Interlocked.Increment(ref _corruptFrames);
}
