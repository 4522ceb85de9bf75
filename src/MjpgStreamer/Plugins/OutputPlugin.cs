using MjpgStreamer.Core.Options;

namespace MjpgStreamer.Plugins;

/// <summary>An output plugin as the command line knows it, like <see cref="Core.Sources.InputPlugin"/> for inputs.</summary>
internal sealed record OutputPlugin(
    string Name,
    string DisplayName,
    IReadOnlyList<OptionSpec> Options,
    string Help,
    Func<ParsedOptions, OutputContext, IOutput> Create);
