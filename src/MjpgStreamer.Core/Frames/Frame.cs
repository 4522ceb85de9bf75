using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace MjpgStreamer.Core.Frames;

/// <summary>
/// One JPEG frame in a pooled buffer. Reference counted: the hub holds one reference, every reader
/// that acquires the frame holds one more, and the buffer goes back to its pool exactly once, when the
/// last reference is released.
/// </summary>
public sealed class Frame
{
    private readonly FramePool _pool;
    private byte[] _buffer;
    private int _refs;
    private ulong _contentHash;
    private int _hashed;

    internal Frame(FramePool pool, int capacity)
    {
        _pool = pool;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 1));
    }

    /// <summary>Bytes of the JPEG.</summary>
    public int Length { get; private set; }

    /// <summary>Capture time, wall clock, microseconds since the Unix epoch (sent as X-Timestamp).</summary>
    public long TimestampUs { get; set; }

    /// <summary>Set by the hub when the frame is published: 1, 2, 3, … per input.</summary>
    public long Sequence { get; internal set; }

    /// <summary>Image size from the JPEG's SOF marker, filled in by the hub when the source leaves it at 0.</summary>
    public int Width { get; set; }

    public int Height { get; set; }

    /// <summary>A generated frame (NO SIGNAL, PAUSED) rather than one the source captured.</summary>
    public bool IsPlaceholder { get; set; }

    /// <summary>
    /// A 64-bit hash of the bytes (not cryptographic), computed on first use and kept, so readers that compare
    /// frames (-drop_same_frames) hash each frame once, not once per client. Read it only after the frame is
    /// published (its content no longer changes); two readers racing both compute the same value.
    /// </summary>
    public ulong ContentHash
    {
        get
        {
            if (Volatile.Read(ref _hashed) != 0)
            {
                return _contentHash;
            }

            var hash = Hash(Span);
            _contentHash = hash;
            Volatile.Write(ref _hashed, 1);
            return hash;
        }
    }

    public ReadOnlyMemory<byte> Data => new(_buffer, 0, Length);

    public ReadOnlySpan<byte> Span => new(_buffer, 0, Length);

    /// <summary>A writable span of at least <paramref name="capacity"/> bytes; the old content is kept only up to Length.</summary>
    public Span<byte> GetWritableSpan(int capacity)
    {
        EnsureCapacity(capacity);
        return _buffer.AsSpan();
    }

    /// <summary>Grows the buffer to hold at least <paramref name="capacity"/> bytes, keeping the first Length bytes.</summary>
    public void EnsureCapacity(int capacity)
    {
        if (capacity <= _buffer.Length)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(capacity);
        _buffer.AsSpan(0, Length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public void SetLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, _buffer.Length);
        Length = length;
    }

    /// <summary>Copies <paramref name="data"/> into the frame, replacing its content.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        EnsureCapacity(data.Length);
        data.CopyTo(_buffer);
        Length = data.Length;
    }

    /// <summary>Appends to the content (for sources that receive a frame in chunks).</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        EnsureCapacity(Length + data.Length);
        data.CopyTo(_buffer.AsSpan(Length));
        Length += data.Length;
    }

    /// <summary>Takes one more reference unless the frame has already gone back to the pool.</summary>
    public bool TryAddRef()
    {
        var refs = Volatile.Read(ref _refs);
        while (refs > 0)
        {
            var seen = Interlocked.CompareExchange(ref _refs, refs + 1, refs);
            if (seen == refs)
            {
                return true;
            }

            refs = seen;
        }

        return false;
    }

    /// <summary>Gives up one reference; the last one returns the frame to its pool.</summary>
    public void Release()
    {
        var refs = Interlocked.Decrement(ref _refs);
        if (refs == 0)
        {
            _pool.Return(this);
        }
        else if (refs < 0)
        {
            throw new InvalidOperationException("Frame released more often than it was acquired.");
        }
    }

    internal void Reset()
    {
        Length = 0;
        TimestampUs = 0;
        Sequence = 0;
        Width = 0;
        Height = 0;
        IsPlaceholder = false;
        _hashed = 0;
        _refs = 1;
    }

    /// <summary>Multiply-xorshift over 8-byte words, then the tail: a few GB/s, good enough to tell frames apart.</summary>
    public static ulong Hash(ReadOnlySpan<byte> data)
    {
        const ulong Prime = 0x9E3779B97F4A7C15UL;
        var hash = (ulong)data.Length * Prime;
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (var word in words)
        {
            hash = (hash ^ word) * Prime;
            hash ^= hash >> 29;
        }

        var tail = data[(words.Length * 8)..];
        if (!tail.IsEmpty)
        {
            Span<byte> last = stackalloc byte[8];
            last.Clear();
            tail.CopyTo(last);
            hash = (hash ^ BinaryPrimitives.ReadUInt64LittleEndian(last)) * Prime;
            hash ^= hash >> 29;
        }

        return hash;
    }

    internal void ReturnBuffer()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
