namespace MjpgStreamer.CaptureBench;

/// <summary>
/// One part of the multipart stream as the client got it: when it was complete (Stopwatch timestamp), the
/// fake's frame number (-1 without the fake's comment), its X-Timestamp in microseconds (-1 without one) and
/// its JPEG length.
/// </summary>
internal readonly record struct StreamPart(long Arrival, long Frame, long TimestampUs, int Length);
