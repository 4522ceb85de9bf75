namespace MjpgStreamer.CaptureBench;

/// <summary>One parsed command line: <see cref="EncodeCommand"/> or <see cref="CaptureCommand"/>.</summary>
internal abstract record BenchCommand
{
    public int Width { get; init; } = 1280;

    public int Height { get; init; } = 720;

    /// <summary>Length of the measured window (after the warm-up).</summary>
    public double Seconds { get; init; }
}
