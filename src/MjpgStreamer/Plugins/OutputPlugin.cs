using MjpgStreamer.Core.Options;

namespace MjpgStreamer.Plugins;

/// <summary>
/// An output plugin as the command line knows it, like <see cref="Core.Sources.InputPlugin"/> for inputs.
/// <see cref="Create"/> checks the options at once (so -b can refuse them before going to the background)
/// and returns what builds the output once the streamer exists.
/// </summary>
internal sealed record OutputPlugin(
    string Name,
    string DisplayName,
    IReadOnlyList<OptionSpec> Options,
    string Help,
    Func<ParsedOptions, Func<OutputContext, IOutput>> Create)
{
    /// <summary>One line for the global help: what it is, and its main options.</summary>
    public required string Summary { get; init; }
}
