namespace MjpgStreamer.CaptureBench;

/// <summary>A `pause` run that cannot go on; the message is the one line the user sees.</summary>
internal sealed class PauseBenchException(string message) : Exception(message);
