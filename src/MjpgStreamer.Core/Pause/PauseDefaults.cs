namespace MjpgStreamer.Core.Pause;

/// <summary>Defaults shared by the server's pause watcher and the pause/resume helper commands.</summary>
public static class PauseDefaults
{
    /// <summary>The pause fork's hard-coded path; its scripts and Octolapse set-ups expect it.</summary>
    public const string LockFile = "/run/mjpg_streamer_paused.lock";
}
