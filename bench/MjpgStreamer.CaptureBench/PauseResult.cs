namespace MjpgStreamer.CaptureBench;

/// <summary>What a `pause` run measured: the cycles, the server's figures before and after them, and the stream check.</summary>
internal sealed record PauseResult(
    IReadOnlyList<PauseCycle> Cycles,
    TimeSpan Wall,
    ProcessFigures Before,
    ProcessFigures After,
    StreamCheck Stream,
    string PictureSize,
    int ServerWarnings,
    int ServerErrors,
    string? FirstProblem);
