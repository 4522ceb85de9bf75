using System.Collections.Concurrent;

namespace MjpgStreamer.Core.Frames;

/// <summary>
/// Frames and their buffers are reused: in steady state a source allocates nothing per frame.
/// A frame comes out of <see cref="Rent"/> holding one reference that belongs to the caller.
/// </summary>
public sealed class FramePool
{
    private readonly ConcurrentQueue<Frame> _free = new();
    private readonly int _maxPooled;
    private int _count;
    private long _rented;
    private long _returned;

    public FramePool(int maxPooled = 16)
    {
        _maxPooled = maxPooled;
    }

    public long Rented => Interlocked.Read(ref _rented);

    public long Returned => Interlocked.Read(ref _returned);

    /// <summary>Frames that are out of the pool right now (rented and not yet released by everyone).</summary>
    public long Outstanding => Rented - Returned;

    public Frame Rent(int capacity = 0)
    {
        Interlocked.Increment(ref _rented);
        if (_free.TryDequeue(out var frame))
        {
            Interlocked.Decrement(ref _count);
            frame.Reset();
            frame.EnsureCapacity(capacity);
            return frame;
        }

        frame = new Frame(this, Math.Max(capacity, 64 * 1024));
        frame.Reset();
        return frame;
    }

    internal void Return(Frame frame)
    {
        Interlocked.Increment(ref _returned);
        if (Interlocked.Increment(ref _count) <= _maxPooled)
        {
            _free.Enqueue(frame);
            return;
        }

        Interlocked.Decrement(ref _count);
        frame.ReturnBuffer();
    }
}
