namespace MjpgStreamer.CaptureBench;

/// <summary>`encode`: the raw-frame JPEG path without a camera.</summary>
internal sealed record EncodeCommand : BenchCommand
{
    public const double DefaultSeconds = 10;

    public int Quality { get; init; } = 80;

    /// <summary>Encoder pool sizes to measure, in the given order.</summary>
    public IReadOnlyList<int> Workers { get; init; } = [1, 2];
}
