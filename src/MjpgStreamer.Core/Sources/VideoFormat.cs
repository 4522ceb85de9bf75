namespace MjpgStreamer.Core.Sources;

/// <summary>A pixel format a camera offers, with its discrete sizes, as input.json lists it.</summary>
public sealed record VideoFormat(
    int Index,
    string Name,
    bool Compressed,
    bool Emulated,
    bool Current,
    IReadOnlyList<(int Width, int Height)> Resolutions,
    int? CurrentResolution);
