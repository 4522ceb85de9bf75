using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Interop;
using MjpgStreamer.Native.Jpeg;
using MjpgStreamer.Native.V4l2;

namespace MjpgStreamer.Native.Sources.Uvc;

/// <summary>
/// input_uvc's camera thread, the one thread that touches the device: open, configure, stream (poll with a
/// timeout, dequeue, copy the bytes used into a pooled frame, queue the buffer again at once, publish), and
/// between two frames the queued commands, a resolution switch (a reopen) or a still. MJPEG passes through
/// with the standard Huffman tables inserted where the camera left them out; YUYV, UYVY and RGB go to the
/// encoder pool, and only while someone watches. A missing, busy, unplugged or stalled camera is a state:
/// the device is closed, a "NO SIGNAL" frame with the reason goes out about once a second so clients stay
/// connected, commands are still answered (values are kept for the camera's return), and the device is
/// tried again twice a second.
/// </summary>
internal sealed class UvcCapture(UvcOptions options, UvcControls controls, UvcFormats formats, UvcStill still, DeviceCommandQueue commands)
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan PlaceholderInterval = TimeSpan.FromSeconds(1);

    private readonly PlaceholderFrames _placeholders = new();
    private int _width = options.Width;
    private int _height = options.Height;
    private string _displayName = UvcSource.PluginDisplayName;
    private RawFrameEncoderPool? _encoder;

    // Set when -f was given but the driver cannot set a frame interval: frames are dropped in software instead.
    private bool _driverCannotPace;
    private bool _stillIsStreamFrame;

    // Frames dequeued since start, across reopens: the order in which encoded frames may be published.
    private long _framesDequeued;

    private enum SessionEnd
    {
        Cancelled,
        Reconfigure,
        Still,
    }

    /// <summary>The camera's name (V4L2 card) once it has been opened.</summary>
    public string DisplayName => Volatile.Read(ref _displayName);

    /// <summary>The last session captures at the size a still would have: a still is the next frame.</summary>
    public bool StillIsStreamFrame => Volatile.Read(ref _stillIsStreamFrame);

    /// <summary>The context of the current (or last) run; null before the first.</summary>
    public SourceContext? Context { get; private set; }

    /// <summary>The thread of the last run (tests check that it has ended).</summary>
    public Thread? Thread { get; private set; }

    public Task RunAsync(SourceContext context, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(context);
        Context = context;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() => Run(context, done, cancellation)) { IsBackground = true, Name = UvcSource.ThreadName };
        Thread = thread;
        thread.Start();
        return done.Task;
    }

    /// <summary>
    /// Executes one command on the camera thread, or on a request while no camera thread runs (then
    /// <paramref name="device"/> is null): a value for an absent camera is remembered and answered 0.
    /// </summary>
    public void Execute(DeviceCommand command, V4l2Device? device)
    {
        ArgumentNullException.ThrowIfNull(command);
        var request = command.Request;
        switch (request.Group)
        {
            case CommandGroups.V4l2:
                command.Complete(controls.Set(request, device, Context));
                break;
            case CommandGroups.JpegQuality:
                command.Complete(controls.SetJpegQuality(request.Value, device));
                break;
            case CommandGroups.Resolution:
                // Answered by the reopen at the new size.
                formats.RequestSize(command);
                break;
            default:
                command.Complete(-1);
                break;
        }
    }

    private void ExecuteQueued(V4l2Device? device)
    {
        while (commands.TryTake(out var command))
        {
            Execute(command, device);
        }
    }

    private void Run(SourceContext context, TaskCompletionSource done, CancellationToken cancellation)
    {
        try
        {
            var wake = Inotify.CreateEventFd(out var errno);
            if (wake.IsInvalid)
            {
                throw new IOException($"eventfd failed: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)}");
            }

            using (wake)
            using (cancellation.UnsafeRegister(static state => Inotify.Signal((Inotify.FdHandle)state!), wake))
            {
                commands.Attach(wake);
                try
                {
                    Loop(context, wake, cancellation);
                }
                finally
                {
                    controls.Encoder = null;
                    _encoder?.Dispose();
                    _encoder = null;

                    // Detached first: a still asked for after this fails at once instead of waiting for a thread.
                    commands.Detach(command => Execute(command, null));
                    still.Fail("the input stopped");
                }
            }

            done.TrySetResult();
        }
        catch (Exception ex)
        {
            done.TrySetException(ex);
        }
    }

    private void Loop(SourceContext context, Inotify.FdHandle wake, CancellationToken cancellation)
    {
        // Every wait of this thread is bounded: a frame within -timeout, a retry tick within a second; a still
        // opens the device again at another size (a frame within -timeout there too) before the stream resumes.
        context.BeatWithin = TimeSpan.FromSeconds(3 * options.TimeoutSeconds);
        var lastPlaceholder = long.MinValue;
        while (!cancellation.IsCancellationRequested)
        {
            string reason;
            try
            {
                var outcome = Session(context, wake, cancellation);
                if (outcome == SessionEnd.Still)
                {
                    still.Take(context, (_width, _height), wake, ExecuteQueued, cancellation);
                    continue;
                }

                if (outcome == SessionEnd.Reconfigure)
                {
                    continue;
                }

                return;
            }
            catch (CameraUnavailableException ex)
            {
                reason = ex.Message;
            }
            catch (V4l2Exception ex)
            {
                reason = UvcDevicePath.Describe(ex, options.Device);
            }

            if (cancellation.IsCancellationRequested)
            {
                return;
            }

            context.SetState(InputState.NoSignal, reason);
            lastPlaceholder = WaitForRetry(context, reason, lastPlaceholder, wake, cancellation);
        }
    }

    /// <summary>The camera is away: placeholders about once a second, commands answered, until the next try.</summary>
    private long WaitForRetry(SourceContext context, string reason, long lastPlaceholder, Inotify.FdHandle wake, CancellationToken cancellation)
    {
        var time = context.Time;
        var waitUntil = time.GetTimestamp() + (long)(RetryInterval.TotalSeconds * time.TimestampFrequency);
        while (!cancellation.IsCancellationRequested)
        {
            context.Beat();
            ExecuteQueued(null);
            var now = time.GetTimestamp();
            if (lastPlaceholder == long.MinValue || time.GetElapsedTime(lastPlaceholder, now) >= PlaceholderInterval)
            {
                _placeholders.Publish(context, "NO SIGNAL", reason, _width, _height);
                lastPlaceholder = now;
            }

            if (now >= waitUntil)
            {
                break;
            }

            var remaining = TimeSpan.FromSeconds((double)(waitUntil - now) / time.TimestampFrequency);
            var wait = remaining < PlaceholderInterval ? remaining : PlaceholderInterval;
            Inotify.WaitReadable(wake, null, (int)Math.Ceiling(wait.TotalMilliseconds), out var woken, out _);
            if (woken)
            {
                Inotify.Drain(wake);
            }
        }

        return lastPlaceholder;
    }

    /// <summary>One open of the device, from open to close. Failures throw; the caller turns them into no_signal.</summary>
    private SessionEnd Session(SourceContext context, Inotify.FdHandle wake, CancellationToken cancellation)
    {
        using var device = UvcDevicePath.Open(options.Device);
        Configure(device, context);
        return Stream(device, context, wake, cancellation);
    }

    private void Configure(V4l2Device device, SourceContext context)
    {
        var capability = device.QueryCapability();
        if (!capability.CanCaptureVideo || !capability.CanStream)
        {
            throw new CameraUnavailableException($"{device.Path} ({capability.Card}) is not a video capture device with streaming");
        }

        Volatile.Write(ref _displayName, capability.Card.Length > 0 ? capability.Card : UvcSource.PluginDisplayName);
        if (options.TvNorm is { } norm)
        {
            try
            {
                device.SetStandard(norm);
            }
            catch (V4l2Exception ex)
            {
                UvcLog.SettingFailed(context.Logger, context.InputId, "-t", ex.Message);
            }
        }

        if (options.DvTimings && !device.TryApplyDvTimings())
        {
            UvcLog.SettingFailed(context.Logger, context.InputId, "-dv_timings", "the device has no DV timings");
        }

        var pixelFormat = UvcDevicePath.FourCcOf(options.Raw);
        var (wantWidth, wantHeight) = formats.SizeToOpen((_width, _height));
        var format = device.SetFormat(wantWidth, wantHeight, pixelFormat);
        if (format.PixelFormat != pixelFormat)
        {
            throw new CameraUnavailableException($"the camera does not offer {FourCc.ToString(pixelFormat)}{(options.Raw is null ? " (try -y for YUYV)" : "")}");
        }

        if (format.Width != wantWidth || format.Height != wantHeight)
        {
            UvcLog.ResolutionCoerced(context.Logger, context.InputId, wantWidth, wantHeight, format.Width, format.Height);
        }

        _width = format.Width;
        _height = format.Height;
        formats.SizeApplied();
        var still = UvcStill.Target(device, options, (format.Width, format.Height));
        var stillIsStreamFrame = (still.Width, still.Height) == (format.Width, format.Height);
        if (stillIsStreamFrame && !StillIsStreamFrame)
        {
            UvcLog.StillIsStreamFrame(context.Logger, context.InputId, format.Width, format.Height);
        }

        Volatile.Write(ref _stillIsStreamFrame, stillIsStreamFrame);

        _driverCannotPace = false;
        if (options.Fps > 0)
        {
            var interval = device.SetFrameInterval(1, options.Fps);
            if (interval is { } chosen && chosen.Denominator != 0 && chosen.Numerator != 0)
            {
                var actual = (double)chosen.Denominator / chosen.Numerator;
                if (Math.Abs(actual - options.Fps) > 0.01)
                {
                    UvcLog.FpsCoerced(context.Logger, context.InputId, options.Fps, actual);
                }
            }
            else
            {
                // The driver has no frame interval setting: frames are dropped to the rate asked, as the original does.
                _driverCannotPace = true;
            }
        }

        if (options.Raw is { } raw)
        {
            _encoder ??= new RawFrameEncoderPool(context, options.Workers, options.Quality, UvcSource.ThreadName);
            _encoder.Configure(new RawFrameEncoderPool.RawFrameFormat(raw, format.Width, format.Height, Math.Max(format.BytesPerLine, PackedPixels.RowBytes(raw, format.Width))));
            controls.Encoder = _encoder;
        }

        if (options.DvTimings)
        {
            device.TrySubscribeSourceChange();
        }

        controls.Open(device, context);
        formats.Read(device, pixelFormat, format);
    }

    private SessionEnd Stream(V4l2Device device, SourceContext context, Inotify.FdHandle wake, CancellationToken cancellation)
    {
        device.StartStreaming(options.Buffers);
        var fourcc = FourCc.ToString(UvcDevicePath.FourCcOf(options.Raw));
        UvcLog.Streaming(context.Logger, context.InputId, device.Path, fourcc, _width, _height);
        var time = context.Time;
        var timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
        var lastFrame = time.GetTimestamp();
        long captured = 0;
        long lastPublishedUs = long.MinValue;
        var softFps = options.SoftFps > 0 ? options.SoftFps : _driverCannotPace ? options.Fps : 0;
        var minimumGapUs = softFps > 0 ? 1_000_000L / softFps : 0;
        var sessionStart = _framesDequeued;

        while (true)
        {
            if (cancellation.IsCancellationRequested)
            {
                return SessionEnd.Cancelled;
            }

            context.Beat();

            // Between two frames: the commands that came meanwhile, then what they or a still ask of the session.
            ExecuteQueued(device);
            if (formats.SwitchPending)
            {
                return SessionEnd.Reconfigure;
            }

            if (still.IsRequested)
            {
                return SessionEnd.Still;
            }

            var left = timeout - time.GetElapsedTime(lastFrame);
            if (left <= TimeSpan.Zero)
            {
                throw new CameraUnavailableException($"no frame for {options.TimeoutSeconds} s");
            }

            var result = device.WaitForFrame((int)Math.Ceiling(left.TotalMilliseconds), (int)wake.DangerousGetHandle());
            switch (result)
            {
                case V4l2WaitResult.Cancelled:
                    Inotify.Drain(wake);
                    continue;
                case V4l2WaitResult.Timeout:
                    continue;
                case V4l2WaitResult.Event:
                    if (device.TryDequeueSourceChange())
                    {
                        UvcLog.SourceChanged(context.Logger, context.InputId);
                        return SessionEnd.Reconfigure;
                    }

                    continue;
            }

            while (device.TryDequeue(out var buffer))
            {
                lastFrame = time.GetTimestamp();
                if (_framesDequeued++ == sessionStart)
                {
                    // The camera delivers: streaming, even while nobody watches a raw camera (nothing is encoded then).
                    context.SetState(InputState.Streaming, null);
                }

                try
                {
                    captured++;
                    if (buffer.IsError || buffer.BytesUsed < Math.Max(1, options.MinimumSize) || captured % options.EveryFrame != 0)
                    {
                        continue;
                    }

                    var timestampUs = UvcFrameCopy.WallClockOf(buffer.TimestampUs, context);
                    if (minimumGapUs > 0 && lastPublishedUs != long.MinValue && timestampUs - lastPublishedUs < minimumGapUs)
                    {
                        continue;
                    }

                    var data = device.GetBufferData(buffer.Index, buffer.BytesUsed);
                    if (options.Raw is null ? UvcFrameCopy.TryPublishJpeg(data, timestampUs, context) : SubmitRaw(data, timestampUs, context))
                    {
                        lastPublishedUs = timestampUs;
                    }
                }
                finally
                {
                    device.Requeue(buffer.Index);
                }
            }
        }
    }

    private bool SubmitRaw(ReadOnlySpan<byte> data, long timestampUs, SourceContext context)
    {
        // Encoding is the expensive part: nobody watching, nothing encoded. A snapshot request counts as
        // someone watching, so it gets the next frame.
        if (context.Hub.Demand == 0 || _encoder is null)
        {
            return false;
        }

        return _encoder.TrySubmit(data, _framesDequeued, timestampUs);
    }
}
