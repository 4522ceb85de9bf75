namespace MjpgStreamer.LoadClient;

/// <summary>The figures of one run. Null means "not known" (no /state, no --pid, no frames).</summary>
internal sealed record LoadReport
{
    public required int Clients { get; init; }

    /// <summary>The measured window as it really lasted.</summary>
    public required double DurationSeconds { get; init; }

    public required double WarmupSeconds { get; init; }

    public double? FpsMin { get; init; }

    public double? FpsMedian { get; init; }

    public double? FpsMax { get; init; }

    /// <summary>Frames the input published in the window (inputs[id].frames delta of /state).</summary>
    public long? PublishedFrames { get; init; }

    public double? ReceivedPercentMin { get; init; }

    public double? ReceivedPercentMedian { get; init; }

    public long TotalFrames { get; init; }

    public long TotalBytes { get; init; }

    /// <summary>Decimal megabytes (10^6 bytes) per second over all clients.</summary>
    public double MegabytesPerSecond { get; init; }

    public double? LatencyP50Ms { get; init; }

    public double? LatencyP99Ms { get; init; }

    public double? LatencyMaxMs { get; init; }

    public long LatencySamples { get; init; }

    public long FramesWithoutTimestamp { get; init; }

    public double? ServerCpuSeconds { get; init; }

    /// <summary>CPU seconds as a percentage of one core over the window.</summary>
    public double? ServerCpuPercent { get; init; }

    public double? RssEndMiB { get; init; }

    public double? RssMaxMiB { get; init; }

    public long? GcGen0 { get; init; }

    public long? GcGen1 { get; init; }

    public long? GcGen2 { get; init; }

    public int ConnectFailures { get; init; }

    public int BrokenStreams { get; init; }

    public int ConnectionErrors => ConnectFailures + BrokenStreams;

    /// <summary>One line per failed client, in client order.</summary>
    public IReadOnlyList<string> Failures { get; init; } = [];

    /// <summary>Things that make figures unavailable without failing the run (no /state, process gone).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public bool Ok => ConnectionErrors == 0;
}
