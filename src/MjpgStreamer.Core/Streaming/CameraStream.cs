using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Sources;

namespace MjpgStreamer.Core.Streaming;

/// <summary>
/// One input: its source, the hub its frames go to, and the task that runs the source.
/// Outputs subscribe to the hub, never to the source.
/// </summary>
public sealed partial class CameraStream : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    public CameraStream(int id, string plugin, string args, IFrameSource source, TimeProvider time, ILogger logger)
    {
        Id = id;
        Plugin = plugin;
        Args = args;
        Source = source;
        Hub = new LatestFrameHub(time);
        Context = new SourceContext(id, Hub, new FramePool(), logger);
    }

    public int Id { get; }

    /// <summary>The plugin name exactly as given on the command line.</summary>
    public string Plugin { get; }

    /// <summary>The raw argument string, with its leading space, as program.json shows it.</summary>
    public string Args { get; }

    public IFrameSource Source { get; }

    public LatestFrameHub Hub { get; }

    public SourceContext Context { get; }

    public void Start()
    {
        _run = Task.Run(RunSourceAsync);
    }

    private async Task RunSourceAsync()
    {
        try
        {
            await Source.RunAsync(Context, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Context.SetState(InputState.NoSignal, ex.Message);
            LogSourceFailed(Context.Logger, Id, ex);
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        Hub.Clear();
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "input {InputId}: the source stopped with an error")]
    private static partial void LogSourceFailed(ILogger logger, int inputId, Exception exception);
}
