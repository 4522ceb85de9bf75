namespace MjpgStreamer.Native.V4l2;

/// <summary>What <see cref="V4l2Device.WaitForFrame"/> saw.</summary>
internal enum V4l2WaitResult
{
    /// <summary>A buffer can be dequeued (TryDequeue should succeed).</summary>
    FrameReady,

    /// <summary>Nothing happened within the timeout.</summary>
    Timeout,

    /// <summary>The cancel descriptor became readable; it is not drained.</summary>
    Cancelled,

    /// <summary>A V4L2 event is pending (POLLPRI): call TryDequeueSourceChange.</summary>
    Event,
}
