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

    /// <summary>
    /// True while the source already streams at the size a still would have (a USB camera captured at its largest
    /// size, or at -still WxH): then a still is the next live frame, with no switch and no gap in the stream, and
    /// <see cref="CaptureStillAsync"/> is not called.
    /// </summary>
    bool StillIsStreamFrame => false;
}
