using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;

namespace MjpgStreamer.Native.Tests.TestSupport;

/// <summary>Runs a source into a hub with one subscriber, as a stream client would watch it.</summary>
internal sealed class SourceRun : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _watch = new();
    private readonly FrameSubscriber _subscriber;
    private bool _disposed;

    public SourceRun(IFrameSource source, TimeProvider time, ILogger logger)
    {
        Hub = new LatestFrameHub(time);
        Context = new SourceContext(0, Hub, Pool, logger);
        _subscriber = Hub.Subscribe(_watch.Token);
        Run = source.RunAsync(Context, _stop.Token);
    }

    public FramePool Pool { get; } = new();

    public LatestFrameHub Hub { get; }

    public SourceContext Context { get; }

    public Task Run { get; }

    /// <summary>The bytes of the next frame the subscriber gets (bounded wait).</summary>
    public async Task<byte[]> NextAsync()
    {
        var frame = await _subscriber.NextAsync().AsTask().WaitAsync(Timeout);
        Assert.NotNull(frame);
        try
        {
            return frame.Span.ToArray();
        }
        finally
        {
            frame.Release();
        }
    }

    /// <summary>Waits (bounded) until the source reports the state, and a reason starting with the given text.</summary>
    public async Task WaitForStateAsync(InputState state, string reasonStart = "")
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!(Context.State == state && (Context.Reason ?? "").StartsWith(reasonStart, StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"state stayed {Context.State} '{Context.Reason}', expected {state} '{reasonStart}…'");
            Assert.False(Run.IsCompleted, $"the source stopped: {Run.Exception}");
            await Task.Delay(10);
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Run.WaitAsync(Timeout);
    }

    /// <summary>Stops the source and drops every frame the hub holds; may be called again.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stop.CancelAsync();
        try
        {
            await Run.WaitAsync(Timeout);
        }
        finally
        {
            await _watch.CancelAsync();
            _subscriber.Dispose();
            Hub.Clear();
            _stop.Dispose();
            _watch.Dispose();
        }
    }
}
