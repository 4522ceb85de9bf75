namespace MjpgStreamer.CommandLine;

/// <summary>The global command line, parsed once at start-up.</summary>
internal sealed record StreamerOptions(
    IReadOnlyList<PluginSpec> Inputs,
    IReadOnlyList<PluginSpec> Outputs,
    bool Background)
{
    /// <summary>The lock file that pauses every input while it exists (absolute); null with --pause-file none.</summary>
    public string? PauseFile { get; init; } = GlobalCommandLine.DefaultPauseFile;

    /// <summary>A pause longer than this is logged as a warning once (--pause-warn).</summary>
    public TimeSpan PauseWarn { get; init; } = TimeSpan.FromSeconds(600);

    /// <summary>What paused clients get about once a second (--pause-frame).</summary>
    public Core.Streaming.PauseFrame PauseFrame { get; init; } = Core.Streaming.PauseFrame.Last;
}
