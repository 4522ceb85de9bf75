using MjpgStreamer.Native.Sources.Raspicam;

namespace MjpgStreamer.Native.Tests.Sources.Raspicam;

/// <summary>The bound on what a still tool may write, and keeping what it wrote whole below that bound.</summary>
public sealed class StillBufferTests
{
    [Fact]
    public async Task KeepsEveryByte_AcrossGrowth()
    {
        var data = Bytes(700_000);
        var buffer = new StillBuffer(1_000_000);

        Assert.Equal(0, await buffer.ReadAllAsync(new MemoryStream(data), CancellationToken.None));

        Assert.False(buffer.TooLarge);
        Assert.Equal(data.Length, buffer.Length);
        Assert.Equal(data, buffer.ToArray());
    }

    [Fact]
    public async Task ExactlyTheBound_IsKept()
    {
        var buffer = new StillBuffer(300_000);

        await buffer.ReadAllAsync(new MemoryStream(Bytes(300_000)), CancellationToken.None);

        Assert.False(buffer.TooLarge);
        Assert.Equal(300_000, buffer.Length);
    }

    [Fact]
    public async Task OneBytePastTheBound_IsTooLarge_AndReadingStops()
    {
        var buffer = new StillBuffer(300_000);
        var stdout = new MemoryStream(Bytes(2_000_000));

        await buffer.ReadAllAsync(stdout, CancellationToken.None);

        Assert.True(buffer.TooLarge);
        Assert.True(stdout.Position < stdout.Length, "read past the bound");
    }

    [Theory]
    [InlineData(10)]
    [InlineData(1000)]
    public async Task ABoundBelowTheFirstBuffer_StillHolds(int bound)
    {
        var buffer = new StillBuffer(bound);

        await buffer.ReadAllAsync(new MemoryStream(Bytes(bound + 1)), CancellationToken.None);

        Assert.True(buffer.TooLarge);
    }

    [Fact]
    public async Task EmptyOutput_IsEmpty_NotTooLarge()
    {
        var buffer = new StillBuffer(300_000);

        await buffer.ReadAllAsync(new MemoryStream(), CancellationToken.None);

        Assert.False(buffer.TooLarge);
        Assert.Equal(0, buffer.Length);
        Assert.Empty(buffer.ToArray());
    }

    private static byte[] Bytes(int count)
    {
        var data = new byte[count];
        new Random(count).NextBytes(data);
        return data;
    }
}
