using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Jpeg;

namespace MjpgStreamer.Plugins;

/// <summary>Everything one mjpg_streamer process runs: its inputs (numbered 0..N) and outputs.</summary>
internal sealed class Streamer(TimeProvider time, CancellationToken stopping)
{
    private readonly long _started = time.GetTimestamp();
    private readonly Lock _shapesGate = new();
    private readonly Dictionary<CameraStream, ShapedFrames> _shapes = [];

    public TimeProvider Time { get; } = time;

    /// <summary>Cancelled when the process shuts down; long-running responses end on it.</summary>
    public CancellationToken Stopping { get; } = stopping;

    public List<CameraStream> Inputs { get; } = [];

    public List<IOutput> Outputs { get; } = [];

    /// <summary>The pause (lock file and HTTP); set once the inputs exist.</summary>
    public Core.Pause.PauseCoordinator? Pause { get; set; }

    /// <summary>Where the scaled streams log (started, stopped, frames that could not be scaled).</summary>
    public ILogger ShapeLogger { get; set; } = NullLogger.Instance;

    public TimeSpan Uptime => Time.GetElapsedTime(_started);

    /// <summary>
    /// The scaled streams of <paramref name="input"/> (issue 14), made on first use and shared by every output, so a
    /// shape is computed once per frame whatever the number of outputs and clients that ask for it.
    /// </summary>
    public ShapedFrames ShapesOf(CameraStream input)
    {
        lock (_shapesGate)
        {
            if (!_shapes.TryGetValue(input, out var shapes))
            {
                shapes = new ShapedFrames(input.Hub, static () => new JpegScaler(), Time, ShapeLogger);
                _shapes.Add(input, shapes);
            }

            return shapes;
        }
    }

    /// <summary>The scaled streams of <paramref name="input"/> if any were ever asked for (for /state), else null.</summary>
    public ShapedFrames? ExistingShapesOf(CameraStream input)
    {
        lock (_shapesGate)
        {
            return _shapes.GetValueOrDefault(input);
        }
    }

    /// <summary>Stops every scaled stream's worker (at shutdown, after the outputs).</summary>
    public async Task DisposeShapesAsync()
    {
        ShapedFrames[] all;
        lock (_shapesGate)
        {
            all = [.. _shapes.Values];
        }

        foreach (var shapes in all)
        {
            await shapes.DisposeAsync();
        }
    }
}
