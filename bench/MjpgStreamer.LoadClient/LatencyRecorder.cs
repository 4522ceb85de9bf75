namespace MjpgStreamer.LoadClient;

/// <summary>Per-client latency samples in microseconds; grows by doubling, so allocation is amortised, not per frame.</summary>
internal sealed class LatencyRecorder
{
    private int[] _samples;

    public LatencyRecorder(int initialCapacity = 1024)
    {
        _samples = new int[Math.Max(initialCapacity, 16)];
    }

    public int Count { get; private set; }

    public ReadOnlySpan<int> Samples => _samples.AsSpan(0, Count);

    public void Add(long microseconds)
    {
        if (Count == _samples.Length)
        {
            Array.Resize(ref _samples, _samples.Length * 2);
        }

        _samples[Count++] = (int)Math.Clamp(microseconds, int.MinValue, int.MaxValue);
    }
}
