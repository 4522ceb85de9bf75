namespace MjpgStreamer.Core.Streaming;

/// <summary>What stream clients receive about once a second while the input is paused (--pause-frame).</summary>
public enum PauseFrame
{
    /// <summary>The last real frame again, with its original capture time.</summary>
    Last,

    /// <summary>A "PAUSED" picture of the stream's size.</summary>
    Placeholder,
}
