namespace MjpgStreamer.Core.Sources;

/// <summary>
/// A source that takes full-resolution stills itself (?action=still): a USB camera switches to its largest
/// size for one frame, the Raspberry Pi camera runs rpicam-still between two runs of rpicam-vid. The
/// stream's clients keep their connections meanwhile (CameraStream sends them the last frame again).
/// </summary>
public interface IStillCapture
{
    /// <summary>
    /// Takes one still while the source runs, and starts the stream again afterwards. Returns the JPEG.
    /// Throws <see cref="StillFailedException"/> with a one-line reason when it cannot (the source is not
    /// running, the camera refused, the still tool failed); cancellation ends the attempt.
    /// </summary>
    Task<byte[]> CaptureStillAsync(CancellationToken cancellation);
}
