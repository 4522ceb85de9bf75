using System.Buffers;
using Microsoft.Extensions.Time.Testing;
using MjpgStreamer.Http;

namespace MjpgStreamer.Tests.Unit;

/// <summary>Kestrel's block pool: blocks in use are reused, blocks nobody needed for a whole period are let go.</summary>
public sealed class TrimmingBlockPoolTests
{
    [Fact]
    public void A_returned_block_is_rented_again_instead_of_a_new_one()
    {
        using var pool = new TrimmingBlockPool(new FakeTimeProvider());
        var first = pool.Rent();
        var memory = first.Memory;
        first.Dispose();

        using var second = pool.Rent(100);

        Assert.True(memory.Equals(second.Memory));
        Assert.Equal(TrimmingBlockPool.BlockSize, second.Memory.Length);
        Assert.Equal(1, pool.Allocated);
    }

    [Fact]
    public void A_quarter_of_the_blocks_idle_for_a_whole_period_beyond_an_eighth_go_each_period()
    {
        var time = new FakeTimeProvider();
        using var pool = new TrimmingBlockPool(time);
        var crowd = Enumerable.Range(0, 512).Select(_ => pool.Rent()).ToList();
        time.Advance(TimeSpan.FromSeconds(1));
        crowd.ForEach(block => block.Dispose());
        Assert.Equal(512, pool.FreeBlocks);

        time.Advance(TrimmingBlockPool.TrimEvery); // the period the crowd came in: all of them were needed
        Assert.Equal(512, pool.FreeBlocks);
        time.Advance(TrimmingBlockPool.TrimEvery); // a whole period with none of them rented: (512 - 64) / 4 go
        Assert.Equal(400, pool.FreeBlocks);
        time.Advance(TrimmingBlockPool.TrimEvery); // (400 - 50) / 4, rounded up
        Assert.Equal(312, pool.FreeBlocks);
        time.Advance(TrimmingBlockPool.TrimEvery * 60);
        Assert.Equal(0, pool.FreeBlocks);
    }

    [Fact]
    public void A_pool_in_steady_use_keeps_a_slack_of_an_eighth()
    {
        var time = new FakeTimeProvider();
        using var pool = new TrimmingBlockPool(time);
        var held = Enumerable.Range(0, 80).Select(_ => pool.Rent()).ToList();
        Enumerable.Range(0, 20).Select(_ => pool.Rent()).ToList().ForEach(block => block.Dispose());
        for (var period = 0; period < 30; period++)
        {
            time.Advance(TrimmingBlockPool.TrimEvery);
        }

        // 80 in use, 20 idle: the idle ones go down to an eighth of all the pool holds (90 -> 11: 80 + 11 = 91).
        Assert.InRange(pool.FreeBlocks, 10, 12);
        held.ForEach(block => block.Dispose());
        Assert.Equal(100, pool.Allocated);
    }

    [Fact]
    public void When_a_crowd_has_left_every_idle_block_of_every_pool_goes_and_blocks_in_use_stay()
    {
        var time = new FakeTimeProvider();
        var factory = new TrimmingBlockPoolFactory(time);
        using var first = factory.Create();
        using var second = factory.Create();
        var inUse = first.Rent();
        Enumerable.Range(0, 300).Select(_ => first.Rent()).ToList().ForEach(block => block.Dispose());
        Enumerable.Range(0, 200).Select(_ => second.Rent()).ToList().ForEach(block => block.Dispose());

        factory.ReleaseIdle();

        Assert.Equal(0, ((TrimmingBlockPool)first).FreeBlocks);
        Assert.Equal(0, ((TrimmingBlockPool)second).FreeBlocks);
        inUse.Dispose();
        Assert.Equal(1, ((TrimmingBlockPool)first).FreeBlocks);
    }

    [Fact]
    public void Blocks_in_steady_use_stay_and_only_the_idle_rest_goes()
    {
        var time = new FakeTimeProvider();
        using var pool = new TrimmingBlockPool(time);
        // 100 blocks once (a short burst), then 10 at a time, over and over (the stream path: rent, send, return).
        Enumerable.Range(0, 100).Select(_ => pool.Rent()).ToList().ForEach(block => block.Dispose());
        for (var period = 0; period < 40; period++)
        {
            for (var frame = 0; frame < 50; frame++)
            {
                var inUse = Enumerable.Range(0, 10).Select(_ => pool.Rent()).ToList();
                inUse.ForEach(block => block.Dispose());
            }

            time.Advance(TrimmingBlockPool.TrimEvery);
        }

        Assert.InRange(pool.FreeBlocks, 10, 12); // the 10 in use each frame and a slack of an eighth
        Assert.Equal(100, pool.Allocated); // the 10 in steady use were never let go and allocated again

        for (var frame = 0; frame < 50; frame++)
        {
            pool.Rent().Dispose();
        }

        Assert.Equal(100, pool.Allocated);
    }

    [Fact]
    public void A_block_larger_than_a_page_is_refused_and_a_disposed_pool_keeps_nothing()
    {
        var pool = new TrimmingBlockPool(new FakeTimeProvider());
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(TrimmingBlockPool.BlockSize + 1));
        var block = pool.Rent();
        pool.Dispose();

        block.Dispose();

        Assert.Equal(0, pool.FreeBlocks);
        Assert.Throws<ObjectDisposedException>(() => pool.Rent());
    }

    [Fact]
    public void The_factory_makes_a_pool_of_page_sized_blocks()
    {
        using var pool = new TrimmingBlockPoolFactory(new FakeTimeProvider()).Create();

        Assert.Equal(TrimmingBlockPool.BlockSize, pool.MaxBufferSize);
        using var block = pool.Rent();
        Assert.Equal(TrimmingBlockPool.BlockSize, block.Memory.Length);
    }
}
