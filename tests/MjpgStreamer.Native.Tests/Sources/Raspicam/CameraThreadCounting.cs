namespace MjpgStreamer.Native.Tests.Sources.Raspicam;

/// <summary>
/// The tests that start input_raspicam camera threads: they run one at a time, because some count this
/// process's threads of that name and would see another test's.
/// </summary>
[CollectionDefinition(nameof(CameraThreadCounting))]
public sealed class CameraThreadCounting;
