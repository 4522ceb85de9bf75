namespace MjpgStreamer.Core.Options;

/// <summary>One plugin option: its names (short and long, all usable with one or two dashes) and whether it takes a value.</summary>
public sealed record OptionSpec(string Key, bool HasArgument, params string[] Names);
