namespace MjpgStreamer.CaptureBench.Tests;

public sealed class SamplesTests
{
    [Fact]
    public void The_median_of_an_odd_count_is_the_middle_sample_whatever_the_order()
    {
        Assert.Equal(3, Samples.Median([5, 1, 3, 100, 2]));
    }

    [Fact]
    public void The_median_of_an_even_count_is_between_the_two_middle_samples()
    {
        Assert.Equal(2.5, Samples.Median([4, 1, 2, 3]));
    }

    [Fact]
    public void One_slow_outlier_moves_the_median_not_at_all()
    {
        double[] steady = [2.0, 2.1, 2.0, 2.2, 2.1];
        double[] withOutlier = [2.0, 2.1, 2.0, 2.2, 2.1, 2.0, 250];

        Assert.Equal(2.1, Samples.Median(steady));
        Assert.Equal(2.1, Samples.Median(withOutlier));
    }

    [Theory]
    [InlineData(90, 90)]
    [InlineData(50, 50)]
    [InlineData(100, 100)]
    [InlineData(0, 1)]
    [InlineData(90.5, 91)]
    public void Percentiles_are_nearest_rank_and_always_an_observed_sample(double percent, double expected)
    {
        var samples = Enumerable.Range(1, 100).Select(i => (double)(101 - i)).ToArray();

        Assert.Equal(expected, Samples.Percentile(samples, percent));
    }

    [Fact]
    public void Statistics_do_not_reorder_the_callers_samples()
    {
        double[] samples = [3, 1, 2];

        _ = Samples.Median(samples);
        _ = Samples.Percentile(samples, 90);

        Assert.Equal([3, 1, 2], samples);
    }

    [Fact]
    public void No_samples_or_a_percent_outside_0_to_100_is_a_bug()
    {
        Assert.Throws<ArgumentException>(() => Samples.Median([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Samples.Percentile([1], 100.5));
    }
}
