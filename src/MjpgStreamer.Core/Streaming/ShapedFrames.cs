using MjpgStreamer.Core.Diagnostics;
using MjpgStreamer.Core.Frames;
using Microsoft.Extensions.Logging;

namespace MjpgStreamer.Core.Streaming;

/// <summary>
/// The scaled streams of one input (issue 14): for each distinct <see cref="ShapeKey"/> that has at least one reader,
/// one worker subscribes to the input's hub, scales every frame it gets (latest frame wins: a slow worker skips frames;
/// a shape with a rate, <see cref="ShapeKey.Fps"/>, scales only the frames due)
/// off the capture thread, and publishes the result into the shape's own <see cref="LatestFrameHub"/>, which its
/// readers subscribe to exactly as they would to the camera's. <see cref="Acquire"/> counts readers: the first one
/// starts the worker, disposing the last lease stops it and frees its scaler, so a shape nobody reads costs nothing.
/// Placeholder frames (NO SIGNAL, PAUSED) are scaled like captured ones, so a reader's picture keeps its size.
/// Timestamps are kept; the shape's hub numbers its own frames; Width and Height are the scaled size.
/// </summary>
public sealed partial class ShapedFrames : IAsyncDisposable
{
    private readonly LatestFrameHub _source;
    private readonly Func<IFrameScaler> _createScaler;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FramePool _pool;
    private readonly Lock _gate = new();
    private readonly Dictionary<ShapeKey, Worker> _shapes = [];
    private readonly HashSet<Worker> _running = [];
    private bool _disposed;

    /// <param name="source">The input's hub (the camera's frames).</param>
    /// <param name="createScaler">A scaler for a new worker; the worker disposes it when it stops.</param>
    public ShapedFrames(LatestFrameHub source, Func<IFrameScaler> createScaler, TimeProvider time, ILogger logger, FramePool? pool = null)
    {
        _source = source;
        _createScaler = createScaler;
        _time = time;
        _logger = logger;
        _pool = pool ?? new FramePool();
    }

    /// <summary>Workers whose loop has not ended yet (a stopped shape's worker counts until it has finished its frame).</summary>
    public int RunningWorkers
    {
        get
        {
            lock (_gate)
            {
                return _running.Count;
            }
        }
    }

    /// <summary>
    /// A reader's hold on <paramref name="shape"/>: subscribe to <see cref="ShapeLease.Hub"/> for its frames and dispose
    /// the lease when done (after disposing the subscriber).
    /// </summary>
    public ShapeLease Acquire(ShapeKey shape)
    {
        Worker worker;
        var started = false;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_shapes.TryGetValue(shape, out worker!))
            {
                worker = new Worker(this, shape);
                _shapes.Add(shape, worker);
                _running.Add(worker);
                worker.Start();
                started = true;
            }

            worker.Readers++;
        }

        if (started)
        {
            LogShapeStarted(_logger, shape);
        }

        return new ShapeLease(this, worker);
    }

    /// <summary>The shapes being served now, with their counters (for /state).</summary>
    public IReadOnlyList<ShapeStats> GetStats()
    {
        lock (_gate)
        {
            return [.. _shapes.Values.Select(static worker => worker.Stats())];
        }
    }

    /// <summary>Stops every worker and waits for them (readers still subscribed to a shape's hub end by their own tokens).</summary>
    public async ValueTask DisposeAsync()
    {
        Task[] tasks;
        lock (_gate)
        {
            _disposed = true;
            foreach (var worker in _shapes.Values)
            {
                worker.Stop();
            }

            _shapes.Clear();
            tasks = [.. _running.Select(static worker => worker.Completion)];
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    internal void Leave(Worker worker)
    {
        lock (_gate)
        {
            if (--worker.Readers > 0)
            {
                return;
            }

            _shapes.Remove(worker.Shape);
            worker.Stop();
        }
    }

    [LoggerMessage(EventId = LogEvents.ShapeStarted, Level = LogLevel.Debug, Message = "scaled stream {Shape}: started (first reader)")]
    private static partial void LogShapeStarted(ILogger logger, ShapeKey shape);

    [LoggerMessage(EventId = LogEvents.ShapeStopped, Level = LogLevel.Debug, Message = "scaled stream {Shape}: stopped (no readers) after {Frames} frames, {MeanMs:0.00} ms each")]
    private static partial void LogShapeStopped(ILogger logger, ShapeKey shape, long frames, double meanMs);

    [LoggerMessage(EventId = LogEvents.ShapeScaleFailed, Level = LogLevel.Warning, Message = "scaled stream {Shape}: a frame could not be scaled ({Error}); such frames are skipped")]
    private static partial void LogScaleFailed(ILogger logger, ShapeKey shape, string error);

    [LoggerMessage(EventId = LogEvents.ShapeScaleFailedAgain, Level = LogLevel.Debug, Message = "scaled stream {Shape}: a frame could not be scaled ({Error})")]
    private static partial void LogScaleFailedAgain(ILogger logger, ShapeKey shape, string error);

    [LoggerMessage(EventId = LogEvents.ShapeWorkerFailed, Level = LogLevel.Error, Message = "scaled stream {Shape}: the worker stopped with an error")]
    private static partial void LogWorkerFailed(ILogger logger, ShapeKey shape, Exception exception);

    /// <summary>One shape's worker: its hub, its readers (under the registry's lock) and its counters.</summary>
    internal sealed class Worker : IDisposable
    {
        private readonly ShapedFrames _owner;
        private readonly CancellationTokenSource _stop = new();
        private Task _completion = Task.CompletedTask;
        private bool _finished;
        private long _encoded;
        private long _notDue;
        private long _failures;
        private long _totalTicks;
        private long _lastTicks;
        private int _width;
        private int _height;

        public Worker(ShapedFrames owner, ShapeKey shape)
        {
            _owner = owner;
            Shape = shape;
            Hub = new LatestFrameHub(owner._time);
        }

        public ShapeKey Shape { get; }

        public LatestFrameHub Hub { get; }

        /// <summary>Leases held; changed only under the registry's lock.</summary>
        public int Readers { get; set; }

        public Task Completion => _completion;

        public void Start() => _completion = Task.Run(RunAsync);

        /// <summary>Asks the loop to end; called under the registry's lock.</summary>
        public void Stop()
        {
            if (!_finished)
            {
                _stop.Cancel();
            }
        }

        /// <summary>Frees the stop token; called under the registry's lock once the loop has ended.</summary>
        public void Dispose()
        {
            _finished = true;
            _stop.Dispose();
        }

        public ShapeStats Stats()
        {
            var encoded = Interlocked.Read(ref _encoded);
            var total = Interlocked.Read(ref _totalTicks);
            return new ShapeStats(
                Shape,
                Readers,
                encoded,
                Interlocked.Read(ref _failures),
                TicksToMs(Interlocked.Read(ref _lastTicks)),
                encoded == 0 ? 0 : TicksToMs(total) / encoded,
                Volatile.Read(ref _width),
                Volatile.Read(ref _height))
            {
                FramesNotDue = Interlocked.Read(ref _notDue),
            };
        }

        private async Task RunAsync()
        {
            var shape = Shape;
            IFrameScaler? scaler = null;
            try
            {
                scaler = _owner._createScaler();
                var pacer = shape.Fps > 0 ? new FramePacer(shape.Fps, _owner._time.TimestampFrequency) : null;
                // Decoding and encoding never run on the capture thread.
                using var subscriber = _owner._source.Subscribe(_stop.Token, mayRunInline: false);
                while (true)
                {
                    Frame? frame;
                    try
                    {
                        frame = await subscriber.NextAsync().ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                    {
                        break;
                    }

                    if (frame is null)
                    {
                        break;
                    }

                    try
                    {
                        if (pacer is not null && !pacer.TryTakeSlot(_owner._time.GetTimestamp()))
                        {
                            // Not due for this shape's rate: not scaled at all.
                            Interlocked.Increment(ref _notDue);
                            continue;
                        }

                        if (!_stop.IsCancellationRequested)
                        {
                            Scale(scaler, frame, shape);
                        }
                    }
                    finally
                    {
                        frame.Release();
                    }
                }
            }
            catch (Exception ex)
            {
                LogWorkerFailed(_owner._logger, shape, ex);
            }
            finally
            {
                scaler?.Dispose();
                Hub.Clear();
                lock (_owner._gate)
                {
                    _owner._running.Remove(this);
                    Dispose();
                }

                var stats = Stats();
                LogShapeStopped(_owner._logger, shape, stats.FramesEncoded, stats.MeanMs);
            }
        }

        private void Scale(IFrameScaler scaler, Frame frame, ShapeKey shape)
        {
            var started = _owner._time.GetTimestamp();
            var output = _owner._pool.Rent();
            bool scaled;
            string? error;
            try
            {
                scaled = scaler.TryScale(frame.Span, Shape, output, out error);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or InvalidDataException)
            {
                scaled = false;
                error = ex.Message;
            }

            if (!scaled)
            {
                output.Release();
                if (Interlocked.Increment(ref _failures) == 1)
                {
                    LogScaleFailed(_owner._logger, shape, error ?? "unknown error");
                }
                else
                {
                    LogScaleFailedAgain(_owner._logger, shape, error ?? "unknown error");
                }

                return;
            }

            output.TimestampUs = frame.TimestampUs;
            output.IsPlaceholder = frame.IsPlaceholder;
            var ticks = _owner._time.GetElapsedTime(started).Ticks;
            Interlocked.Exchange(ref _lastTicks, ticks);
            Interlocked.Add(ref _totalTicks, ticks);
            Volatile.Write(ref _width, output.Width);
            Volatile.Write(ref _height, output.Height);
            Interlocked.Increment(ref _encoded);
            Hub.Publish(output);
        }

        private static double TicksToMs(long ticks) => ticks / (double)TimeSpan.TicksPerMillisecond;
    }
}

/// <summary>A reader's hold on one shape (<see cref="ShapedFrames.Acquire"/>); Dispose once, after the subscriber.</summary>
public sealed class ShapeLease : IDisposable
{
    private readonly ShapedFrames _owner;
    private readonly ShapedFrames.Worker _worker;
    private int _disposed;

    internal ShapeLease(ShapedFrames owner, ShapedFrames.Worker worker)
    {
        _owner = owner;
        _worker = worker;
    }

    public ShapeKey Shape => _worker.Shape;

    /// <summary>The shape's frames: subscribe as to a camera's hub (latest frame wins).</summary>
    public LatestFrameHub Hub => _worker.Hub;

    /// <summary>The shape's counters now.</summary>
    public ShapeStats Stats => _worker.Stats();

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _owner.Leave(_worker);
        }
    }
}

/// <summary>
/// One shape's counters: readers (leases), frames encoded, frames that could not be scaled, milliseconds per frame
/// (last and mean, decode + encode, TimeProvider time), the size of the last frame, and frames left out by its rate.
/// </summary>
public readonly record struct ShapeStats(ShapeKey Shape, int Readers, long FramesEncoded, long Failures, double LastMs, double MeanMs, int Width, int Height)
{
    /// <summary>Frames of the input left out because the shape's rate (<see cref="ShapeKey.Fps"/>) did not want them yet.</summary>
    public long FramesNotDue { get; init; }
}
