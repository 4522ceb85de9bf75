namespace MjpgStreamer.LoadClient.Tests;

public sealed class PercentileTests
{
    private static readonly int[] OneToHundred = Enumerable.Range(1, 100).ToArray();

    [Theory]
    [InlineData(50, 50)]
    [InlineData(99, 99)]
    [InlineData(100, 100)]
    [InlineData(1, 1)]
    [InlineData(0, 1)]
    [InlineData(99.5, 100)]
    public void Nearest_rank_of_one_to_a_hundred(double percent, int expected)
    {
        Assert.Equal(expected, Percentile.NearestRank<int>(OneToHundred, percent));
    }

    [Fact]
    public void With_few_samples_p99_is_the_maximum_and_the_median_a_real_sample()
    {
        double[] sorted = [1.5, 2.5, 10, 40];

        Assert.Equal(40, Percentile.NearestRank<double>(sorted, 99));
        Assert.Equal(2.5, Percentile.NearestRank<double>(sorted, 50));
    }

    [Fact]
    public void A_single_sample_is_every_percentile()
    {
        Assert.Equal(7, Percentile.NearestRank<int>([7], 0));
        Assert.Equal(7, Percentile.NearestRank<int>([7], 50));
        Assert.Equal(7, Percentile.NearestRank<int>([7], 100));
    }

    [Fact]
    public void No_samples_or_a_percent_outside_0_to_100_is_a_bug()
    {
        Assert.Throws<ArgumentException>(() => Percentile.NearestRank<int>([], 50));
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentile.NearestRank<int>([1], 101));
    }

    [Fact]
    public void Latency_recorder_keeps_every_sample_past_its_initial_capacity()
    {
        var recorder = new LatencyRecorder(initialCapacity: 16);
        for (var i = 0; i < 1000; i++)
        {
            recorder.Add(i);
        }

        recorder.Add(long.MaxValue);

        Assert.Equal(1001, recorder.Count);
        Assert.Equal(999, recorder.Samples[999]);
        Assert.Equal(int.MaxValue, recorder.Samples[1000]);
    }
}
