namespace MjpgStreamer.Native.Sources.Raspicam;

/// <summary>
/// input_raspicam's options turned into rpicam words: the mapped options for rpicam-vid (the stream's size,
/// rate and quality first) and for rpicam-still, and the warnings about options rpicam cannot honour.
/// </summary>
internal sealed record RaspicamSettings(
    int Width,
    int Height,
    IReadOnlyList<string> VideoOptions,
    IReadOnlyList<string> StillOptions,
    IReadOnlyList<string> Warnings);
