namespace MjpgStreamer.LoadClient;

/// <summary>Nearest-rank percentiles: every reported value is one that was actually observed.</summary>
internal static class Percentile
{
    /// <summary>The smallest value with at least <paramref name="percent"/> % of the sorted values at or below it.</summary>
    public static T NearestRank<T>(ReadOnlySpan<T> sorted, double percent)
    {
        if (sorted.IsEmpty)
        {
            throw new ArgumentException("no values", nameof(sorted));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(percent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}
