using MjpgStreamer.Core.Options;

namespace MjpgStreamer.Core.Sources;

/// <summary>
/// An input plugin as the command line knows it: its name, the options it takes, its help, and how to
/// build the source from parsed options. The executable's plugin table lists one of these per input, and
/// mjpg_streamer -h lists each with its <see cref="Summary"/>.
/// </summary>
public sealed record InputPlugin(
    string Name,
    string DisplayName,
    IReadOnlyList<OptionSpec> Options,
    string Help,
    Func<ParsedOptions, PluginEnvironment, IFrameSource> Create)
{
    /// <summary>One line for the global help: what it is, and its main options.</summary>
    public required string Summary { get; init; }
}
