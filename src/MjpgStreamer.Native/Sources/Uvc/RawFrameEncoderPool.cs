using MjpgStreamer.Core.Diagnostics;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Jpeg;

namespace MjpgStreamer.Native.Sources.Uvc;

/// <summary>
/// Encodes raw camera frames (YUYV, UYVY, RGB) to JPEG on a few worker threads, so a camera's frame rate
/// is not capped by one core. The capture thread hands a frame to an idle worker (one copy of the raw
/// bytes) and goes on; when every worker is busy the frame is dropped: the latest frame wins, nothing
/// queues. A worker publishes only frames newer than the last one published, so the stream never steps
/// back in time. Buffers are sized when the format is set, not per frame.
/// </summary>
public sealed class RawFrameEncoderPool : IDisposable
{
    private readonly SourceContext _context;
    private readonly Worker[] _workers;
    private readonly Lock _publishGate = new();
    private long _lastPublished;
    private volatile int _quality;
    private RawFrameFormat _format;
    private long _dropped;
    private long _failed;
    private bool _disposed;

    public RawFrameEncoderPool(SourceContext context, int workerCount, int quality, string threadName)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfLessThan(workerCount, 1);
        _context = context;
        _quality = quality;
        _workers = new Worker[workerCount];
        for (var i = 0; i < workerCount; i++)
        {
            _workers[i] = new Worker(this, $"{threadName}_enc{i}");
        }
    }

    public int Quality
    {
        get => _quality;
        set => _quality = Math.Clamp(value, 1, 100);
    }

    public int WorkerCount => _workers.Length;

    /// <summary>Frames dropped because every worker was busy.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Frames the encoder could not encode (a bad buffer).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Sets the layout of the frames to come; waits for the workers to finish the frames they hold.</summary>
    public void Configure(RawFrameFormat format)
    {
        foreach (var worker in _workers)
        {
            worker.WaitIdle();
        }

        _format = format;
        foreach (var worker in _workers)
        {
            worker.Prepare(format);
        }
    }

    /// <summary>
    /// Gives a frame to an idle worker, which copies it before this returns (so the caller can requeue the
    /// device buffer at once). False when every worker is busy: the frame is dropped.
    /// </summary>
    public bool TrySubmit(ReadOnlySpan<byte> raw, long sequence, long timestampUs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var worker in _workers)
        {
            if (worker.TryTake(raw, sequence, timestampUs))
            {
                return true;
            }
        }

        Interlocked.Increment(ref _dropped);
        StreamerMetrics.FrameDropped(_context.MetricsTag);
        return false;
    }

    /// <summary>Waits until no worker holds a frame (tests; and before the device's buffers change).</summary>
    public void WaitIdle()
    {
        foreach (var worker in _workers)
        {
            worker.WaitIdle();
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var worker in _workers)
        {
            worker.Dispose();
        }
    }

    private void Publish(Core.Frames.Frame frame, long sequence)
    {
        lock (_publishGate)
        {
            if (sequence <= _lastPublished)
            {
                frame.Release();
                return;
            }

            _lastPublished = sequence;
            _context.Publish(frame);
        }
    }

    /// <summary>A raw frame's layout as the driver negotiated it.</summary>
    public readonly record struct RawFrameFormat(RawPixelLayout Layout, int Width, int Height, int Stride)
    {
        public int MinimumBytes => Height <= 0 ? 0 : (Stride * (Height - 1)) + PackedPixels.RowBytes(Layout, Width);
    }

    private sealed class Worker : IDisposable
    {
        private readonly RawFrameEncoderPool _pool;
        private readonly Thread _thread;
        private readonly SemaphoreSlim _work = new(0, 1);
        private readonly ManualResetEventSlim _idle = new(true);
        private int _busy;
        private volatile bool _stopping;
        private byte[] _raw = [];
        private int _rawLength;
        private byte[] _planes = [];
        private long _sequence;
        private long _timestampUs;

        // Never published: the encoder's worst-case output buffer, kept for the worker's life.
        private readonly Core.Frames.Frame _scratch = new Core.Frames.FramePool(1).Rent();

        public Worker(RawFrameEncoderPool pool, string name)
        {
            _pool = pool;
            _thread = new Thread(Run) { IsBackground = true, Name = name };
            _thread.Start();
        }

        public void Prepare(RawFrameFormat format)
        {
            var rawBytes = format.Stride * format.Height;
            if (_raw.Length < rawBytes)
            {
                _raw = new byte[rawBytes];
            }

            // 4:2:2 planes (Y + U + V = 2 bytes a pixel) or tight RGB24 (3 bytes a pixel).
            var planeBytes = format.Layout is RawPixelLayout.Yuyv or RawPixelLayout.Uyvy
                ? format.Width * format.Height * 2
                : format.Width * format.Height * 3;
            if (_planes.Length < planeBytes)
            {
                _planes = new byte[planeBytes];
            }
        }

        public bool TryTake(ReadOnlySpan<byte> raw, long sequence, long timestampUs)
        {
            if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
            {
                return false;
            }

            _idle.Reset();
            var length = Math.Min(raw.Length, _raw.Length);
            raw[..length].CopyTo(_raw);
            _rawLength = length;
            _sequence = sequence;
            _timestampUs = timestampUs;
            _work.Release();
            return true;
        }

        public void WaitIdle() => _idle.Wait();

        /// <summary>Stops the thread and frees what it owned.</summary>
        public void Dispose()
        {
            // The pool is stopped by the thread that submits, so no TryTake races with this; a worker that is
            // encoding finds the permit when it comes back to wait.
            _stopping = true;
            if (_work.CurrentCount == 0)
            {
                _work.Release();
            }

            _thread.Join();
            _scratch.Release();
            _work.Dispose();
            _idle.Dispose();
        }

        private void Run()
        {
            using var encoder = new JpegEncoder();
            while (true)
            {
                _work.Wait();
                if (_stopping)
                {
                    _idle.Set();
                    return;
                }

                try
                {
                    Encode(encoder);
                }
                finally
                {
                    Volatile.Write(ref _busy, 0);
                    _idle.Set();
                }
            }
        }

        private void Encode(JpegEncoder encoder)
        {
            var format = _pool._format;
            var raw = _raw.AsSpan(0, _rawLength);
            if (raw.Length < format.MinimumBytes)
            {
                Interlocked.Increment(ref _pool._failed);
                StreamerMetrics.FrameDropped(_pool._context.MetricsTag);
                return;
            }

            var started = _pool._context.Time.GetTimestamp();

            // The encoder needs room for the worst case (tjBufSize: 3.7 MB at 1280x720), so it writes into
            // this worker's scratch frame; the pooled frame gets the real length (about 0.1 MB), and the
            // pool's buffers stay that small.
            var scratch = _scratch;
            try
            {
                var quality = _pool._quality;
                if (format.Layout is RawPixelLayout.Yuyv or RawPixelLayout.Uyvy)
                {
                    var lumaBytes = format.Width * format.Height;
                    var chromaBytes = lumaBytes / 2;
                    var y = _planes.AsSpan(0, lumaBytes);
                    var u = _planes.AsSpan(lumaBytes, chromaBytes);
                    var v = _planes.AsSpan(lumaBytes + chromaBytes, chromaBytes);
                    PackedPixels.SplitPacked422(raw, format.Width, format.Height, format.Stride, format.Layout == RawPixelLayout.Uyvy, y, u, v);
                    encoder.EncodeYuvPlanes(y, u, v, format.Width, format.Height, Interop.TurboJpeg.SampleFactor422, quality, scratch);
                }
                else
                {
                    var rgb = _planes.AsSpan(0, format.Width * format.Height * 3);
                    PackedPixels.ToRgb24(raw, format.Layout, format.Width, format.Height, format.Stride, rgb);
                    encoder.EncodeRgb(rgb, format.Width, format.Height, quality, scratch);
                }
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                Interlocked.Increment(ref _pool._failed);
                StreamerMetrics.FrameDropped(_pool._context.MetricsTag);
                return;
            }

            StreamerMetrics.Encoded(_pool._context.MetricsTag, _pool._context.Time, started);

            var frame = _pool._context.RentFrame(scratch.Length);
            frame.Write(scratch.Span);
            frame.Width = scratch.Width;
            frame.Height = scratch.Height;
            frame.TimestampUs = _timestampUs;
            _pool.Publish(frame, _sequence);
        }
    }
}
