namespace MjpgStreamer.Tools;

/// <summary>One input as the server's GET /state reports it; only the fields the helper verbs need.</summary>
internal sealed record InputStatus(int Id, string? Plugin, string State, string? Reason, string? PauseSource)
{
    public const string Streaming = "streaming";
    public const string Released = "released";

    /// <summary>"input 0 (input_uvc.so) is paused (pause source: http)" or "input 1 is no_signal: unplugged", on one line.</summary>
    public string Describe()
    {
        var text = $"input {Id}{(Plugin is { Length: > 0 } ? $" ({Plugin})" : "")} is {State}";
        if (PauseSource is { Length: > 0 })
        {
            text += $" (pause source: {PauseSource})";
        }

        if (Reason is { Length: > 0 })
        {
            text += $": {Reason}";
        }

        return ToolText.OneLine(text);
    }
}
