using MjpgStreamer.Core.Streaming;

namespace MjpgStreamer.Plugins;

/// <summary>Everything one mjpg_streamer process runs: its inputs (numbered 0..N) and outputs.</summary>
internal sealed class Streamer(TimeProvider time, CancellationToken stopping)
{
    private readonly long _started = time.GetTimestamp();

    public TimeProvider Time { get; } = time;

    /// <summary>Cancelled when the process shuts down; long-running responses end on it.</summary>
    public CancellationToken Stopping { get; } = stopping;

    public List<CameraStream> Inputs { get; } = [];

    public List<IOutput> Outputs { get; } = [];

    /// <summary>The pause (lock file and HTTP); set once the inputs exist.</summary>
    public Core.Pause.PauseCoordinator? Pause { get; set; }

    public TimeSpan Uptime => Time.GetElapsedTime(_started);
}
