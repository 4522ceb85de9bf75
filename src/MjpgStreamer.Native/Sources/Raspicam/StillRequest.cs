namespace MjpgStreamer.Native.Sources.Raspicam;

/// <summary>
/// One caller's wait for a still, handed from <see cref="RaspicamSource.CaptureStillAsync"/> to the stream loop:
/// the caller's token, when it asked (the still's time limit counts from then, stopping rpicam-vid included),
/// and the task that gets the JPEG or the failure.
/// </summary>
internal sealed record StillRequest(long Requested, CancellationToken Cancellation)
{
    public TaskCompletionSource<byte[]> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
