namespace MjpgStreamer.Zmq;

/// <summary>
/// A <c>pb.Package</c> being written (package.proto beside this file), encoded by hand: a Package is a sequence of
/// field 1 records, one per frame, so each frame is appended as it arrives and its buffer let go at once. Each record
/// is the tag 0x0A, the Frame's length (varint) and the Frame: fields 1 to 3 as varints (tags 0x08, 0x10, 0x18),
/// then the JPEG as field 4 (tag 0x22, length, bytes). Proto2 "required" only asks that every field be present,
/// which every record is; a uint32 is at most 5 varint bytes.
/// </summary>
internal sealed class FramePackage
{
    private const int MaxVarint32 = 5;

    /// <summary>Frame header at most: 3 tags + 3 uint32 varints + tag + length of the blob.</summary>
    private const int MaxFrameOverhead = (3 * (1 + MaxVarint32)) + 1 + MaxVarint32;

    private byte[] _buffer = [];
    private int _length;

    // The size of the last package handed over: the next buffer is allocated at about that size at once.
    private int _lastLength;

    /// <summary>Frames in the package so far.</summary>
    public int Count { get; private set; }

    /// <summary>Bytes of the encoded package so far.</summary>
    public int Length => _length;

    /// <summary>The encoded package so far.</summary>
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

    /// <summary>
    /// Appends one Frame record: <paramref name="packedUnixSeconds"/> is the wall clock now, <paramref name="timestampUs"/>
    /// the frame's capture time in microseconds since the Unix epoch, <paramref name="jpeg"/> the picture.
    /// </summary>
    public void Add(ReadOnlySpan<byte> jpeg, long timestampUs, long packedUnixSeconds)
    {
        var seconds = (uint)Math.Max(0, timestampUs / 1_000_000);
        var micros = (uint)Math.Max(0, timestampUs % 1_000_000);
        var packed = (uint)Math.Max(0, packedUnixSeconds);
        var frameLength = 1 + VarintLength(packed) + 1 + VarintLength(seconds) + 1 + VarintLength(micros)
            + 1 + VarintLength((uint)jpeg.Length) + jpeg.Length;
        Reserve(1 + MaxVarint32 + frameLength);

        var span = _buffer.AsSpan(_length);
        var at = 0;
        span[at++] = 0x0A; // Package.frame = 1, length-delimited
        at += WriteVarint(span[at..], (uint)frameLength);
        span[at++] = 0x08; // Frame.timestamp_unix = 1, varint
        at += WriteVarint(span[at..], packed);
        span[at++] = 0x10; // Frame.timestamp_s = 2, varint
        at += WriteVarint(span[at..], seconds);
        span[at++] = 0x18; // Frame.timestamp_us = 3, varint
        at += WriteVarint(span[at..], micros);
        span[at++] = 0x22; // Frame.blob = 4, length-delimited
        at += WriteVarint(span[at..], (uint)jpeg.Length);
        jpeg.CopyTo(span[at..]);
        at += jpeg.Length;
        _length += at;
        Count++;
    }

    /// <summary>
    /// Hands over the encoded package (the array and its length; the array becomes the caller's, it is not returned
    /// to a pool) and starts an empty one.
    /// </summary>
    public (byte[] Buffer, int Length) Detach()
    {
        var result = (_buffer, _length);
        _lastLength = _length;
        _buffer = [];
        _length = 0;
        Count = 0;
        return result;
    }

    /// <summary>Forgets the frames added so far and lets go of the buffer (nobody listens for a while).</summary>
    public void Clear()
    {
        _buffer = [];
        _length = 0;
        Count = 0;
    }

    internal static int VarintLength(uint value)
    {
        var length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }

        return length;
    }

    private static int WriteVarint(Span<byte> span, uint value)
    {
        var at = 0;
        while (value >= 0x80)
        {
            span[at++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[at++] = (byte)value;
        return at;
    }

    private void Reserve(int more)
    {
        if (_buffer.Length - _length >= more)
        {
            return;
        }

        // The last package's size and a quarter, or room for this frame and as many again (the next frames are about
        // as large): one allocation per package, or few.
        var size = Math.Max(_length + (2 * more), _length == 0 ? _lastLength + (_lastLength / 4) : 0);
        var bigger = GC.AllocateUninitializedArray<byte>(Math.Max(size, 4096));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        _buffer = bigger;
    }
}
