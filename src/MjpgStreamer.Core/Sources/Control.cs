namespace MjpgStreamer.Core.Sources;

/// <summary>A V4L2-style control descriptor with its current value, as input.json and output.json list them.</summary>
public sealed record Control(
    string Name,
    int Id,
    int Type,
    long Min,
    long Max,
    long Step,
    long Default,
    long Value,
    int Flags,
    int Group,
    IReadOnlyDictionary<int, string>? Menu = null);
