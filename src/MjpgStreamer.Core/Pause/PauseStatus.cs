namespace MjpgStreamer.Core.Pause;

/// <summary>The pause as /state shows it.</summary>
public sealed record PauseStatus(string? LockFile, bool ByFile, bool ByHttp, DateTimeOffset? Since, string? Warning)
{
    public bool Paused => ByFile || ByHttp;

    /// <summary>"file", "http" or "file+http"; null when not paused.</summary>
    public string? Source => (ByFile, ByHttp) switch
    {
        (true, true) => "file+http",
        (true, false) => "file",
        (false, true) => "http",
        _ => null,
    };
}
