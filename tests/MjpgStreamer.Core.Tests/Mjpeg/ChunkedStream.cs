namespace MjpgStreamer.Core.Tests.Mjpeg;

/// <summary>A read-only stream that hands out its data in small pieces, like a pipe does.</summary>
internal sealed class ChunkedStream : Stream
{
    private readonly byte[] _data;
    private readonly Func<int, int> _nextChunk;
    private int _position;

    /// <summary>Pieces of 1..<paramref name="maxChunk"/> bytes, sizes from a seeded random sequence.</summary>
    public ChunkedStream(byte[] data, int maxChunk, int seed = 1)
    {
        _data = data;
        var random = new Random(seed);
        _nextChunk = _ => random.Next(1, maxChunk + 1);
    }

    /// <summary>Two pieces: the first <paramref name="split"/> bytes, then the rest (in reads of at most 64 KiB).</summary>
    public static ChunkedStream SplitAt(byte[] data, int split) => new(data, position => position < split ? split - position : 65536);

    private ChunkedStream(byte[] data, Func<int, int> nextChunk)
    {
        _data = data;
        _nextChunk = nextChunk;
    }

    public int Reads { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        Reads++;
        var n = Math.Min(Math.Min(buffer.Length, _nextChunk(_position)), _data.Length - _position);
        _data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<int>(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
