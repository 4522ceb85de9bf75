namespace MjpgStreamer.CommandLine;

/// <summary>The global command line, parsed once at start-up.</summary>
internal sealed record StreamerOptions(
    IReadOnlyList<PluginSpec> Inputs,
    IReadOnlyList<PluginSpec> Outputs,
    bool Background);
