using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace MjpgStreamer.Http;

/// <summary>
/// Kestrel's memory (its pipes' 4 KiB blocks) for one HTTP output, in place of Kestrel's own pool, which keeps the
/// blocks of a crowd of clients for minutes (it lets go of 5 % of its idle blocks every 10 s) and allocates them on the
/// pinned object heap, which a collection never compacts. Here a block is an ordinary array (a socket pins it only
/// for the system call); every <see cref="TrimmingBlockPool.TrimEvery"/> a quarter of the blocks that stayed in the
/// pool for the whole period (the least number idle at any moment of it), beyond a slack of an eighth of all its
/// blocks, are let go, so a pool in steady use keeps what it needs (the stream path rents and returns the same blocks,
/// allocating nothing) and sheds the rest; and
/// <see cref="ReleaseIdle"/>, which <see cref="CrowdMemory"/> calls when a crowd has left, lets go of every idle block
/// right before its compacting collection gives the memory back.
/// </summary>
internal sealed class TrimmingBlockPoolFactory(TimeProvider time) : IMemoryPoolFactory<byte>
{
    private readonly ConcurrentDictionary<TrimmingBlockPool, bool> _pools = new();

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null)
    {
        var pool = new TrimmingBlockPool(time, gone => _pools.TryRemove(gone, out _));
        _pools.TryAdd(pool, true);
        return pool;
    }

    /// <summary>Lets go of every idle block of every pool made here (a crowd has left; blocks in use stay).</summary>
    public void ReleaseIdle()
    {
        foreach (var pool in _pools.Keys)
        {
            pool.ReleaseIdle();
        }
    }
}

/// <summary>One pool of <see cref="BlockSize"/> blocks (see <see cref="TrimmingBlockPoolFactory"/>).</summary>
internal sealed class TrimmingBlockPool : MemoryPool<byte>
{
    /// <summary>A block's size: Kestrel's own (a page).</summary>
    public const int BlockSize = 4096;

    /// <summary>How often idle blocks are let go.</summary>
    public static readonly TimeSpan TrimEvery = TimeSpan.FromSeconds(5);

    private readonly ConcurrentQueue<Block> _free = new();
    private readonly ITimer _timer;
    private readonly Action<TrimmingBlockPool>? _onDisposed;
    private int _freeCount;
    private int _fewestFree; // the least _freeCount since the last trim: blocks nobody needed all period
    private long _allocated;
    private long _held; // blocks of this pool not let go: idle or in use
    private volatile bool _disposed;

    public TrimmingBlockPool(TimeProvider time, Action<TrimmingBlockPool>? onDisposed = null)
    {
        _onDisposed = onDisposed;
        _timer = time.CreateTimer(static state => ((TrimmingBlockPool)state!).Trim(), this, TrimEvery, TrimEvery);
    }

    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks in the pool now, idle.</summary>
    public int FreeBlocks => Volatile.Read(ref _freeCount);

    /// <summary>Blocks allocated since the pool was made (a block the pool let go and needs again counts again).</summary>
    public long Allocated => Interlocked.Read(ref _allocated);

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_free.TryDequeue(out var block))
        {
            var left = Interlocked.Decrement(ref _freeCount);
            // A race may leave the mark one too high for a period: then one block fewer is let go.
            if (left < Volatile.Read(ref _fewestFree))
            {
                Volatile.Write(ref _fewestFree, left);
            }

            return block;
        }

        Interlocked.Increment(ref _allocated);
        Interlocked.Increment(ref _held);
        return new Block(this);
    }

    /// <summary>
    /// Lets go of a quarter (rounded up) of the blocks that stayed idle since the last trim beyond a slack of an eighth
    /// of the blocks the pool holds, idle or in use: a pool in steady use keeps that slack for the ups and downs of its
    /// demand instead of allocating again for each (the timer calls this).
    /// </summary>
    internal void Trim()
    {
        var idle = Interlocked.Exchange(ref _fewestFree, int.MaxValue);
        var excess = idle - (int)(Interlocked.Read(ref _held) / 8);
        if (excess > 0)
        {
            Drop(excess - (excess * 3 / 4));
        }

        // The next period's mark starts from what is idle now.
        var now = Volatile.Read(ref _freeCount);
        if (now < Volatile.Read(ref _fewestFree))
        {
            Volatile.Write(ref _fewestFree, now);
        }
    }

    /// <summary>Lets go of every idle block.</summary>
    internal void ReleaseIdle() => Drop(int.MaxValue);

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        if (disposing)
        {
            _timer.Dispose();
            Drop(int.MaxValue);
            _onDisposed?.Invoke(this);
        }
    }

    private void Drop(int count)
    {
        while (count > 0 && _free.TryDequeue(out _))
        {
            Interlocked.Decrement(ref _freeCount);
            Interlocked.Decrement(ref _held);
            count--;
        }
    }

    private void Return(Block block)
    {
        if (_disposed)
        {
            return;
        }

        _free.Enqueue(block);
        Interlocked.Increment(ref _freeCount);
    }

    /// <summary>One block: an ordinary array; disposing it returns it to its pool.</summary>
    private sealed class Block(TrimmingBlockPool pool) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory { get; } = GC.AllocateUninitializedArray<byte>(BlockSize);

        public void Dispose() => pool.Return(this);
    }
}
