namespace MjpgStreamer.Native.Sources.Uvc;

/// <summary>
/// The camera cannot be used right now (missing, not a capture device, no frame in time): the reason a
/// session ends in the no_signal state, never an error of the program.
/// </summary>
internal sealed class CameraUnavailableException(string message) : Exception(message);
