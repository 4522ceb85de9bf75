namespace MjpgStreamer.Core.Streaming;

/// <summary>What an input is doing, as /state reports it.</summary>
public enum InputState
{
    Starting,
    Streaming,
    Paused,
    Released,
    NoSignal,

    /// <summary>Taking a full-resolution still (?action=still); the stream resumes after it.</summary>
    Still,
}

public static class InputStateNames
{
    public static string ToJsonName(this InputState state) => state switch
    {
        InputState.Starting => "starting",
        InputState.Streaming => "streaming",
        InputState.Paused => "paused",
        InputState.Released => "released",
        InputState.NoSignal => "no_signal",
        InputState.Still => "still",
        _ => "unknown",
    };
}
