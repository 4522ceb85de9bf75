namespace MjpgStreamer.CaptureBench;

/// <summary>Order statistics of measured samples: medians and nearest-rank percentiles, never means.</summary>
internal static class Samples
{
    /// <summary>The middle value of the samples (the mean of the two middle ones for an even count); they need not be sorted.</summary>
    public static double Median(ReadOnlySpan<double> samples)
    {
        var sorted = Sorted(samples);
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>
    /// The smallest sample with at least <paramref name="percent"/> % of the samples at or below it (nearest rank):
    /// always a value that was observed.
    /// </summary>
    public static double Percentile(ReadOnlySpan<double> samples, double percent)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(percent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        var sorted = Sorted(samples);
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }

    private static double[] Sorted(ReadOnlySpan<double> samples)
    {
        if (samples.IsEmpty)
        {
            throw new ArgumentException("no samples", nameof(samples));
        }

        var copy = samples.ToArray();
        Array.Sort(copy);
        return copy;
    }
}
