using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Interop;
using MjpgStreamer.Native.Jpeg;
using MjpgStreamer.Native.V4l2;

namespace MjpgStreamer.Native.Sources.Uvc;

/// <summary>
/// input_uvc.so: a V4L2 camera. One thread owns the device: poll with a timeout, dequeue, copy the bytes
/// used into a pooled frame, queue the buffer again at once, publish. MJPEG passes through (with the
/// standard Huffman tables inserted where the camera left them out); YUYV, UYVY and RGB are encoded on a
/// small worker pool, and only while someone watches. A missing, busy, unplugged or stalled camera is a
/// state: the device is closed, a "NO SIGNAL" frame with the reason goes out about once a second so
/// clients stay connected, and the device is tried again twice a second, with every control value set
/// since start applied again when it is back.
/// </summary>
public sealed partial class UvcSource : IFrameSource, IStillCapture
{
    public const string PluginName = "input_uvc.so";
    public const string PluginDisplayName = "UVC webcam grabber";
    public const string ThreadName = "input_uvc";

    private const int NoSuchFile = 2; // ENOENT

    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan PlaceholderInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(3);

    private readonly UvcOptions _options;
    private readonly ControlMemory _memory;
    private readonly PlaceholderFrames _placeholders = new();
    private readonly Lock _deviceGate = new();
    private V4l2Device? _device;
    private SourceContext? _context;
    private Inotify.FdHandle? _wake;
    private int _width;
    private int _height;
    private string _displayName = PluginDisplayName;
    private IReadOnlyList<Control> _controls = [];
    private IReadOnlyList<VideoFormat> _formats = [];
    private List<V4l2ControlInfo> _driverControls = [];
    private readonly HashSet<(uint Id, int Value)> _reportedSettings = [];
    private int? _driverQuality;
    private RawFrameEncoderPool? _encoder;
    private (int Width, int Height)? _pendingResolution;
    private TaskCompletionSource<bool>? _pendingResolutionDone;
    private Thread? _thread;

    // Set when -f was given but the driver cannot set a frame interval: frames are dropped in software instead.
    private bool _driverCannotPace;

    // Frames dequeued since start, across reopens: the order in which encoded frames may be published.
    private long _framesDequeued;

    internal UvcSource(UvcOptions options)
    {
        _options = options;
        _memory = new ControlMemory(options.Settings);
        _width = options.Width;
        _height = options.Height;
    }

    public static InputPlugin Plugin { get; } = new(PluginName, PluginDisplayName, UvcOptions.Specs, UvcOptions.Help, Create)
    {
        Summary = "a V4L2/UVC camera (-d DEVICE -r WxH -f FPS -y -q QUALITY ...)",
    };

    /// <summary>The camera's name (V4L2 card) once it has been opened.</summary>
    public string DisplayName => Volatile.Read(ref _displayName);

    public IReadOnlyList<Control> Controls => Volatile.Read(ref _controls);

    public IReadOnlyList<VideoFormat> Formats => Volatile.Read(ref _formats);

    public UvcOptions Options => _options;

    /// <summary>The thread of the last run (tests check that it has ended).</summary>
    internal Thread? WorkerThread => _thread;

    private static UvcSource Create(ParsedOptions options, PluginEnvironment environment)
    {
        var logger = environment.LoggerFactory.CreateLogger(PluginName);
        var parsed = UvcOptions.Parse(options, warning => LogOptionWarning(logger, warning));
        if (parsed.Raw is not null)
        {
            try
            {
                JpegEncoder.EnsureLibraryAvailable();
            }
            catch (InvalidOperationException ex)
            {
                throw new StartupException($"{PluginName}: {ex.Message}");
            }
        }

        try
        {
            // Loaded now: a bad MJPG_STREAMER_V4L2_LIB is a start-up error, and the fake camera's
            // devices exist before the first open.
            V4l2Library.EnsureLoaded();
        }
        catch (V4l2Exception ex)
        {
            throw new StartupException($"{PluginName}: {ex.Message}");
        }

        return new UvcSource(parsed);
    }

    public Task RunAsync(SourceContext context, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() => Run(context, cancellation, done)) { IsBackground = true, Name = ThreadName };
        _thread = thread;
        thread.Start();
        return done.Task;
    }

    private void Run(SourceContext context, CancellationToken cancellation, TaskCompletionSource done)
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
                _wake = wake;
                try
                {
                    Loop(context, cancellation, wake);
                }
                finally
                {
                    _encoder?.Dispose();
                    _encoder = null;
                    _wake = null;
                    FailPendingStill("the input stopped");
                }
            }

            done.TrySetResult();
        }
        catch (Exception ex)
        {
            done.TrySetException(ex);
        }
    }

    private void Loop(SourceContext context, CancellationToken cancellation, Inotify.FdHandle wake)
    {
        var time = context.Time;
        var lastPlaceholder = long.MinValue;
        while (!cancellation.IsCancellationRequested)
        {
            string reason;
            try
            {
                var outcome = Session(context, cancellation, (int)wake.DangerousGetHandle());
                if (outcome == SessionEnd.Still)
                {
                    StillSession(context, cancellation, (int)wake.DangerousGetHandle());
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
                reason = Describe(ex);
            }

            if (cancellation.IsCancellationRequested)
            {
                return;
            }

            context.SetState(InputState.NoSignal, reason);
            var waitUntil = time.GetTimestamp() + (long)(RetryInterval.TotalSeconds * time.TimestampFrequency);
            while (!cancellation.IsCancellationRequested)
            {
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
                cancellation.WaitHandle.WaitOne(remaining < PlaceholderInterval ? remaining : PlaceholderInterval);
            }
        }
    }

    private enum SessionEnd
    {
        Cancelled,
        Reconfigure,
        Still,
    }

    /// <summary>One open of the device, from open to close. Failures throw; the caller turns them into no_signal.</summary>
    private SessionEnd Session(SourceContext context, CancellationToken cancellation, int wakeFd)
    {
        var path = ResolveDevice(_options.Device);
        V4l2Device device;
        try
        {
            device = V4l2Device.Open(path);
        }
        catch (V4l2Exception ex) when (ex.Errno == NoSuchFile)
        {
            throw new CameraUnavailableException($"no camera at {_options.Device}");
        }

        try
        {
            Configure(device, context);
            lock (_deviceGate)
            {
                _device = device;
            }

            return Stream(device, context, cancellation, wakeFd);
        }
        finally
        {
            lock (_deviceGate)
            {
                _device = null;
                device.Dispose();
            }
        }
    }

    private static string ResolveDevice(string device)
    {
        // A /dev/v4l/by-id link is followed on every open, so a camera that came back under another
        // /dev/videoN is found again. A path that is not a link is opened as it is.
        try
        {
            var info = new FileInfo(device);
            if (info.LinkTarget is null)
            {
                return device;
            }

            var target = info.ResolveLinkTarget(returnFinalTarget: true);
            return target is { Exists: true } ? target.FullName : throw new CameraUnavailableException($"no camera at {device}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CameraUnavailableException($"cannot resolve {device}: {ex.Message}");
        }
    }

    private void Configure(V4l2Device device, SourceContext context)
    {
        var capability = device.QueryCapability();
        if (!capability.CanCaptureVideo || !capability.CanStream)
        {
            throw new CameraUnavailableException($"{device.Path} ({capability.Card}) is not a video capture device with streaming");
        }

        Volatile.Write(ref _displayName, capability.Card.Length > 0 ? capability.Card : PluginDisplayName);
        if (_options.TvNorm is { } norm)
        {
            try
            {
                device.SetStandard(norm);
            }
            catch (V4l2Exception ex)
            {
                LogSettingFailed(context.Logger, context.InputId, "-t", ex.Message);
            }
        }

        if (_options.DvTimings && !device.TryApplyDvTimings())
        {
            LogSettingFailed(context.Logger, context.InputId, "-dv_timings", "the device has no DV timings");
        }

        var pixelFormat = FourCcOf(_options.Raw);
        var (wantWidth, wantHeight) = _pendingResolution ?? (_width, _height);
        var format = device.SetFormat(wantWidth, wantHeight, pixelFormat);
        if (format.PixelFormat != pixelFormat)
        {
            throw new CameraUnavailableException($"the camera does not offer {FourCc.ToString(pixelFormat)}{(_options.Raw is null ? " (try -y for YUYV)" : "")}");
        }

        if (format.Width != wantWidth || format.Height != wantHeight)
        {
            LogResolutionCoerced(context.Logger, context.InputId, wantWidth, wantHeight, format.Width, format.Height);
        }

        _width = format.Width;
        _height = format.Height;
        CompletePendingResolution(true);

        _driverCannotPace = false;
        if (_options.Fps > 0)
        {
            var interval = device.SetFrameInterval(1, _options.Fps);
            if (interval is { } chosen && chosen.Denominator != 0 && chosen.Numerator != 0)
            {
                var actual = (double)chosen.Denominator / chosen.Numerator;
                if (Math.Abs(actual - _options.Fps) > 0.01)
                {
                    LogFpsCoerced(context.Logger, context.InputId, _options.Fps, actual);
                }
            }
            else
            {
                // The driver has no frame interval setting: frames are dropped to the rate asked, as the original does.
                _driverCannotPace = true;
            }
        }

        if (_options.Raw is { } raw)
        {
            _encoder ??= new RawFrameEncoderPool(context, _options.Workers, _options.Quality, ThreadName);
            _encoder.Configure(new RawFrameEncoderPool.RawFrameFormat(raw, format.Width, format.Height, Math.Max(format.BytesPerLine, PackedPixels.RowBytes(raw, format.Width))));
        }

        if (_options.DvTimings)
        {
            device.TrySubscribeSourceChange();
        }

        ReadControls(device, context.Logger);
        ApplyRememberedControls(device, context);
        PublishControls(device);
        ReadFormats(device, pixelFormat, format);
    }

    private void ApplyRememberedControls(V4l2Device device, SourceContext context)
    {
        foreach (var setting in _memory.Snapshot())
        {
            try
            {
                device.SetControl(setting.Id, setting.Value);
            }
            catch (V4l2Exception ex) when (!ex.IsDeviceGone)
            {
                if (setting.Fallback is { } fallback)
                {
                    try
                    {
                        device.SetControl(setting.Id, fallback);
                        continue;
                    }
                    catch (V4l2Exception again) when (!again.IsDeviceGone)
                    {
                        ex = again;
                    }
                }

                // Said once per control: every reopen (unplug, pause, still) applies the settings again.
                if (_reportedSettings.Add((setting.Id, setting.Value)))
                {
                    var known = _driverControls.FirstOrDefault(c => c.Id == setting.Id);
                    var what = known is null ? $"the camera has no control 0x{setting.Id:x8}" : $"{known.Name} = {setting.Value}: {ex.Message}";
                    LogSettingFailed(context.Logger, context.InputId, setting.Option == "command" ? "a command" : "-" + setting.Option, what);
                }
            }
        }

        if (_memory.JpegQuality is { } quality)
        {
            ApplyJpegQuality(device, quality);
        }
    }

    private void ReadControls(V4l2Device device, ILogger logger)
    {
        List<V4l2ControlInfo> infos;
        try
        {
            infos = [.. device.EnumerateControls()];
        }
        catch (V4l2Exception ex) when (!ex.IsDeviceGone)
        {
            LogSettingFailed(logger, _context?.InputId ?? 0, "controls", ex.Message);
            infos = [];
        }

        _driverQuality = device.GetJpegQuality();
        _driverControls = infos;
        PublishControls(device);
    }

    /// <summary>Rebuilds the input.json list with the driver's current values.</summary>
    private void PublishControls(V4l2Device device)
    {
        var controls = new List<Control>(_driverControls.Count + 1);
        foreach (var info in _driverControls)
        {
            long value = 0;
            if (HasValue(info))
            {
                try
                {
                    value = device.GetControl(info.Id);
                }
                catch (V4l2Exception ex) when (!ex.IsDeviceGone)
                {
                    value = info.Default;
                }
            }

            controls.Add(new Control(info.Name, (int)info.Id, info.Type, info.Minimum, info.Maximum, info.Step, info.Default, value, (int)info.Flags, CommandGroups.V4l2, info.Menu));
        }

        var quality = _driverQuality ?? (_options.Raw is not null ? _encoder?.Quality ?? _options.Quality : 50);
        controls.Add(new Control("JPEG quality", 1, Videodev2.CtrlTypeInteger, 0, 100, 1, 50, quality, 0, CommandGroups.JpegQuality));
        Volatile.Write(ref _controls, controls);
    }

    private static bool HasValue(V4l2ControlInfo info) =>
        info.Type is Videodev2.CtrlTypeInteger or Videodev2.CtrlTypeBoolean or Videodev2.CtrlTypeMenu or Videodev2.CtrlTypeIntegerMenu or Videodev2.CtrlTypeBitmask
        && (info.Flags & Videodev2.CtrlFlagWriteOnly) == 0;

    private void ReadFormats(V4l2Device device, uint current, V4l2PixFormat inUse)
    {
        var formats = new List<VideoFormat>();
        foreach (var format in device.EnumerateFormats())
        {
            var sizes = device.EnumerateFrameSizes(format.PixelFormat);
            var isCurrent = format.PixelFormat == current;
            int? currentIndex = null;
            if (isCurrent)
            {
                for (var i = 0; i < sizes.Count; i++)
                {
                    if (sizes[i].Width == inUse.Width && sizes[i].Height == inUse.Height)
                    {
                        currentIndex = i;
                    }
                }
            }

            formats.Add(new VideoFormat(format.Index, format.Description, format.Compressed, format.Emulated, isCurrent, sizes, currentIndex));
        }

        Volatile.Write(ref _formats, formats);
    }

    private SessionEnd Stream(V4l2Device device, SourceContext context, CancellationToken cancellation, int wakeFd)
    {
        device.StartStreaming(_options.Buffers);
        LogStreaming(context.Logger, context.InputId, device.Path, FourCc.ToString(FourCcOf(_options.Raw)), _width, _height);
        var time = context.Time;
        var timeout = TimeSpan.FromSeconds(_options.TimeoutSeconds);
        var lastFrame = time.GetTimestamp();
        long captured = 0;
        long lastPublishedUs = long.MinValue;
        var softFps = _options.SoftFps > 0 ? _options.SoftFps : _driverCannotPace ? _options.Fps : 0;
        var minimumGapUs = softFps > 0 ? 1_000_000L / softFps : 0;
        var sessionStart = _framesDequeued;

        while (true)
        {
            if (cancellation.IsCancellationRequested)
            {
                return SessionEnd.Cancelled;
            }

            if (Volatile.Read(ref _pendingResolutionDone) is not null)
            {
                return SessionEnd.Reconfigure;
            }

            if (Volatile.Read(ref _stillRequest) is not null)
            {
                return SessionEnd.Still;
            }

            var left = timeout - time.GetElapsedTime(lastFrame);
            if (left <= TimeSpan.Zero)
            {
                throw new CameraUnavailableException($"no frame for {_options.TimeoutSeconds} s");
            }

            var result = device.WaitForFrame((int)Math.Ceiling(left.TotalMilliseconds), wakeFd);
            switch (result)
            {
                case V4l2WaitResult.Cancelled:
                    Inotify.Drain(_wake!);
                    continue;
                case V4l2WaitResult.Timeout:
                    continue;
                case V4l2WaitResult.Event:
                    if (device.TryDequeueSourceChange())
                    {
                        LogSourceChanged(context.Logger, context.InputId);
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
                    if (buffer.IsError || buffer.BytesUsed < Math.Max(1, _options.MinimumSize) || captured % _options.EveryFrame != 0)
                    {
                        continue;
                    }

                    var timestampUs = WallClockOf(buffer.TimestampUs, context);
                    if (minimumGapUs > 0 && lastPublishedUs != long.MinValue && timestampUs - lastPublishedUs < minimumGapUs)
                    {
                        continue;
                    }

                    var data = device.GetBufferData(buffer.Index, buffer.BytesUsed);
                    if (_options.Raw is null ? PublishJpeg(data, timestampUs, context) : SubmitRaw(data, timestampUs, context))
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

    private static bool PublishJpeg(ReadOnlySpan<byte> data, long timestampUs, SourceContext context)
    {
        if (!JpegInfo.HasSoiAndEoi(data))
        {
            return false;
        }

        var insertAt = StandardHuffmanTables.FindInsertionPoint(data);
        var frame = context.RentFrame(data.Length + StandardHuffmanTables.Segment.Length);
        if (insertAt < 0)
        {
            frame.Write(data);
        }
        else
        {
            var length = StandardHuffmanTables.CopyWithTables(data, insertAt, frame.GetWritableSpan(data.Length + StandardHuffmanTables.Segment.Length));
            frame.SetLength(length);
        }

        frame.TimestampUs = timestampUs;
        context.Publish(frame);
        return true;
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

    /// <summary>The capture time on the wall clock (X-Timestamp), from the driver's monotonic buffer time.</summary>
    private static long WallClockOf(long monotonicUs, SourceContext context)
    {
        var nowUs = context.NowMicroseconds();
        if (monotonicUs <= 0)
        {
            return nowUs;
        }

        var monotonicNowUs = Stopwatch.GetTimestamp() / (Stopwatch.Frequency / 1_000_000);
        var age = monotonicNowUs - monotonicUs;
        return age is >= 0 and < 2_000_000 ? nowUs - age : nowUs;
    }

    /// <summary>?action=command for this input (spec §7.3): V4L2 controls, resolution, JPEG quality.</summary>
    public ValueTask<int> ExecuteCommandAsync(CommandRequest command, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(command);
        var logger = _context?.Logger;
        return command.Group switch
        {
            CommandGroups.V4l2 => ValueTask.FromResult(SetV4l2Control(command, logger)),
            CommandGroups.Resolution => SetResolutionAsync(command.Value, cancellation),
            CommandGroups.JpegQuality => ValueTask.FromResult(SetJpegQuality(command.Value)),
            _ => ValueTask.FromResult(-1),
        };
    }

    private int SetV4l2Control(CommandRequest command, ILogger? logger)
    {
        var id = unchecked((uint)command.Id);
        V4l2ControlInfo? info = null;
        foreach (var known in _driverControls)
        {
            if (known.Id == id)
            {
                info = known;
            }
        }

        if (info is null || !HasValue(info) || (info.Flags & Videodev2.CtrlFlagReadOnly) != 0)
        {
            if (logger is not null)
            {
                LogCommandRefused(logger, _context!.InputId, command.Id, "the camera has no such settable control");
            }

            return -1;
        }

        if (command.Value < info.Minimum || command.Value > info.Maximum)
        {
            if (logger is not null)
            {
                LogCommandRefused(logger, _context!.InputId, command.Id, $"{command.Value} is outside {info.Minimum}..{info.Maximum}");
            }

            return -1;
        }

        var setting = new CameraSetting("command", id, command.Value);

        // Control ioctls touch only the descriptor and the stack, so they can run beside the capture thread's
        // dequeue; the gate keeps the device from being closed under them.
        lock (_deviceGate)
        {
            if (_device is not { } device)
            {
                // The camera is away: the value is kept and applied when it is back.
                _memory.Remember(setting);
                return 0;
            }

            try
            {
                device.SetControl(id, command.Value);
                _memory.Remember(setting);
                PublishControls(device);
                return 0;
            }
            catch (V4l2Exception ex)
            {
                if (logger is not null)
                {
                    LogCommandRefused(logger, _context!.InputId, command.Id, ex.Message);
                }

                return -1;
            }
        }
    }

    private async ValueTask<int> SetResolutionAsync(int index, CancellationToken cancellation)
    {
        var current = Formats.FirstOrDefault(f => f.Current);
        if (current is null || index < 0 || index >= current.Resolutions.Count)
        {
            return -1;
        }

        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_deviceGate)
        {
            _pendingResolution = current.Resolutions[index];
            Volatile.Write(ref _pendingResolutionDone, done);
            if (_wake is { } wake)
            {
                Inotify.Signal(wake);
            }
        }

        try
        {
            return await done.Task.WaitAsync(CommandTimeout, _context?.Time ?? TimeProvider.System, cancellation).ConfigureAwait(false) ? 0 : -1;
        }
        catch (TimeoutException)
        {
            return -1;
        }
    }

    private void CompletePendingResolution(bool applied)
    {
        var done = Interlocked.Exchange(ref _pendingResolutionDone, null);
        if (done is not null)
        {
            _pendingResolution = null;
            done.TrySetResult(applied);
        }
    }

    private int SetJpegQuality(int quality)
    {
        if (quality is < 0 or > 100)
        {
            return -1;
        }

        _memory.JpegQuality = quality;
        lock (_deviceGate)
        {
            if (_device is { } device)
            {
                ApplyJpegQuality(device, quality);
                PublishControls(device);
            }
        }

        return 0;
    }

    private void ApplyJpegQuality(V4l2Device device, int quality)
    {
        if (device.TrySetJpegQuality(quality))
        {
            _driverQuality = device.GetJpegQuality() ?? quality;
        }
        else if (_encoder is not null)
        {
            // A raw camera has no JPEG quality of its own: the setting is our encoder's.
            _encoder.Quality = Math.Max(1, quality);
        }
    }

    private static uint FourCcOf(RawPixelLayout? raw) => raw switch
    {
        null => FourCc.Mjpeg,
        RawPixelLayout.Yuyv => FourCc.Yuyv,
        RawPixelLayout.Uyvy => FourCc.Uyvy,
        RawPixelLayout.Rgb24 => FourCc.Rgb24,
        RawPixelLayout.Rgb565 => FourCc.Rgb565,
        _ => throw new ArgumentOutOfRangeException(nameof(raw)),
    };

    private string Describe(V4l2Exception ex)
    {
        if (ex.IsDeviceGone)
        {
            return $"camera unplugged ({_options.Device})";
        }

        if (ex.IsBusy)
        {
            return $"camera busy ({_options.Device}): another program is using it";
        }

        return ex.Message;
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "input_uvc.so: {Warning}")]
    private static partial void LogOptionWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "input {InputId}: {Setting} not applied: {Reason}")]
    private static partial void LogSettingFailed(ILogger logger, int inputId, string setting, string reason);

    [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "input {InputId}: the specified resolution {Width}x{Height} is unavailable, using {ActualWidth}x{ActualHeight} instead")]
    private static partial void LogResolutionCoerced(ILogger logger, int inputId, int width, int height, int actualWidth, int actualHeight);

    [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "input {InputId}: fps coerced from {Fps} to {Actual}")]
    private static partial void LogFpsCoerced(ILogger logger, int inputId, int fps, double actual);

    [LoggerMessage(EventId = 304, Level = LogLevel.Information, Message = "input {InputId}: {Device} streaming {Format} {Width}x{Height}")]
    private static partial void LogStreaming(ILogger logger, int inputId, string device, string format, int width, int height);

    [LoggerMessage(EventId = 305, Level = LogLevel.Information, Message = "input {InputId}: the video source changed, reconfiguring")]
    private static partial void LogSourceChanged(ILogger logger, int inputId);

    [LoggerMessage(EventId = 306, Level = LogLevel.Warning, Message = "input {InputId}: command for control {Id} refused: {Reason}")]
    private static partial void LogCommandRefused(ILogger logger, int inputId, int id, string reason);

    private sealed class CameraUnavailableException(string message) : Exception(message);
}
