namespace MjpgStreamer.Core.Mjpeg;

/// <summary>What one parsing step over the buffered bytes of an MJPEG stream came to.</summary>
internal enum ParseStep
{
    /// <summary>Progress was made; parse again.</summary>
    Continue,

    /// <summary>Nothing more can be decided without more bytes.</summary>
    NeedMore,

    /// <summary>A complete frame is in the destination.</summary>
    Frame,
}
