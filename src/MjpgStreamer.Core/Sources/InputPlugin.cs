using MjpgStreamer.Core.Options;

namespace MjpgStreamer.Core.Sources;

/// <summary>
/// An input plugin as the command line knows it: its name, the options it takes, its help, and how to
/// build the source from parsed options. The executable's plugin table lists one of these per input.
/// </summary>
public sealed record InputPlugin(
    string Name,
    string DisplayName,
    IReadOnlyList<OptionSpec> Options,
    string Help,
    Func<ParsedOptions, PluginEnvironment, IFrameSource> Create);
