using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Diagnostics;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Sources.Raspicam;

namespace MjpgStreamer.Native.Sources;

/// <summary>
/// input_ptp2.so: a camera's live view over PTP/USB (a DSLR, a compact) through gphoto2 (Debian's <c>gphoto2</c>)
/// instead of linking libgphoto2: <c>gphoto2 [--port P] --capture-movie --stdout</c> writes the preview JPEGs back to
/// back, read by <see cref="ChildStreamLoop"/> (restarted with backoff, NO SIGNAL with the reason meanwhile). The
/// "Zoom" control (id 1, 0 to 10, as the original's) stops the live view, runs <c>gphoto2 --set-config zoom=N</c>
/// and starts it again. The pause ends gphoto2, so another program (a full-resolution photo, a timelapse tool) can
/// use the camera.
/// </summary>
public sealed partial class Ptp2Source : IFrameSource
{
    public const string Name = "input_ptp2.so";

    /// <summary>The program, as Debian's package of the same name installs it.</summary>
    public const string Program = "gphoto2";

    private const string PluginDisplayName = "PTP2 input plugin";
    private const int ZoomId = 1;
    private const int MaxZoom = 10;

    private readonly ChildStreamLoop _loop = new("input_ptp2");
    private readonly ChildProcessRunner _configRunner = new("input_ptp2");
    private readonly Lock _gate = new();
    private bool _running;
    private int _zoom;
    private int _requestedZoom;
    private bool _zoomPending;
    private TaskCompletionSource<int>? _zoomDone;
    private TimeProvider _time = TimeProvider.System;
    private FramePacer? _pacer;
    private readonly string _shownCommand;
    private bool _loggedCommand;

    public Ptp2Source(string program, string? port, int delayMicroseconds)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        ArgumentOutOfRangeException.ThrowIfNegative(delayMicroseconds);
        ProgramPath = program;
        Port = port;
        Delay = TimeSpan.FromTicks(delayMicroseconds * (TimeSpan.TicksPerMillisecond / 1000));
        LiveViewArguments = [.. PortArguments, "--capture-movie", "--stdout"];
        _shownCommand = string.Join(' ', [Program, .. LiveViewArguments]);
    }

    /// <summary>The plugin descriptor: parse its words with <see cref="PluginOptionParser"/>, then call <see cref="InputPlugin.Create"/>.</summary>
    public static InputPlugin Plugin { get; } = new(
        Name,
        PluginDisplayName,
        [new OptionSpec("u", true, "u"), new OptionSpec("d", true, "d")],
        PluginHelp.Format(
            "input",
            PluginDisplayName,
            ("[-u ]", "microseconds between two frames, on average (a frame-\nrate limit), default 0: every frame the camera gives"),
            ("[-d ]", "the camera's port, e.g. usb:001,004 (gphoto2 --auto-detect\nlists them); default: the first camera found"),
            ("(live view)", "the camera's live view through gphoto2 --capture-movie\n--stdout (install it: sudo apt install gphoto2);\ncontrol \"Zoom\" (id 1, 0..10) runs gphoto2 --set-config\nzoom=N; the pause ends gphoto2 (the camera is free)")),
        Create)
    {
        Summary = "a camera's live view over PTP/USB through gphoto2 (-d PORT -u MICROSECONDS)",
    };

    public string DisplayName => PluginDisplayName;

    /// <summary>gphoto2 as found at start (a path).</summary>
    public string ProgramPath { get; }

    /// <summary>-d: gphoto2's --port, null for the first camera found.</summary>
    public string? Port { get; }

    /// <summary>-u: the least time between two published frames (zero: no limit).</summary>
    public TimeSpan Delay { get; }

    /// <summary>gphoto2's arguments for the live view (without the program).</summary>
    public IReadOnlyList<string> LiveViewArguments { get; }

    /// <summary>How many times the live view was started.</summary>
    public long Starts => _loop.Starts;

    /// <summary>The running gphoto2's pid, 0 while none runs.</summary>
    public int ChildProcessId => _loop.ChildProcessId;

    /// <summary>The zoom last set on the camera (or asked for while paused, set when the live view starts).</summary>
    public int Zoom => Volatile.Read(ref _zoom);

    internal TimeSpan InitialBackoff { get => _loop.InitialBackoff; init => _loop.InitialBackoff = value; }

    /// <summary>No frame for this long ends the run as a failure (10 s).</summary>
    internal TimeSpan Silence { get => _loop.Silence; init => _loop.Silence = value; }

    /// <summary>The longest a Zoom command waits for gphoto2 --set-config.</summary>
    internal TimeSpan ZoomTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public IReadOnlyList<Control> Controls =>
        [new Control("Zoom", ZoomId, 1, 0, MaxZoom, 1, 0, Zoom, 0, CommandGroups.Generic)];

    private string[] PortArguments => Port is null ? [] : ["--port", Port];

    public static Ptp2Source Create(ParsedOptions options, PluginEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        var delay = options.GetInt("u", 0, 0, 60_000_000);
        var port = options.Get("d");
        if (port is { Length: 0 })
        {
            throw new UsageException($"{Name}: -d needs a port such as usb:001,004");
        }

        var program = RaspicamPrograms.Find([Program], null)
            ?? throw new StartupException($"{Name}: {Program} is not installed (not found in PATH); install it with: sudo apt install {Program}");
        return new Ptp2Source(program, port, delay);
    }

    public async Task RunAsync(SourceContext context, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(context);
        lock (_gate)
        {
            _running = true;
            _time = context.Time;
        }

        if (!_loggedCommand)
        {
            _loggedCommand = true;
            Log.Command(context.Logger, _shownCommand);
        }

        try
        {
            await _loop.RunAsync(
                context,
                ct => PrepareAsync(context, ct),
                Delay > TimeSpan.Zero ? _ => _pacer!.TryTakeSlot(context.Time.GetTimestamp()) : null,
                () => _pacer = Delay > TimeSpan.Zero ? new FramePacer(1 / Delay.TotalSeconds, context.Time.TimestampFrequency) : null,
                cancellation).ConfigureAwait(false);
        }
        finally
        {
            TaskCompletionSource<int>? done;
            lock (_gate)
            {
                _running = false;
                done = _zoomDone;
                _zoomDone = null;
                if (done is not null)
                {
                    // Asked for just as the input paused: set when the live view starts again.
                    _zoomPending = true;
                    Volatile.Write(ref _zoom, _requestedZoom);
                }
            }

            done?.TrySetResult(0);
        }
    }

    /// <summary>
    /// Zoom (id 1, group 0): the live view stops, gphoto2 --set-config zoom=N runs, and the live view starts again;
    /// 0 when gphoto2 set it. While paused the value is kept and set when the live view starts again.
    /// </summary>
    public async ValueTask<int> ExecuteCommandAsync(CommandRequest command, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Id != ZoomId || command.Group != CommandGroups.Generic || command.Value is < 0 or > MaxZoom)
        {
            return -1;
        }

        Task<int> done;
        TimeProvider time;
        lock (_gate)
        {
            _requestedZoom = command.Value;
            if (!_running)
            {
                _zoomPending = true;
                Volatile.Write(ref _zoom, command.Value);
                return 0;
            }

            _zoomDone ??= new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            done = _zoomDone.Task;
            time = _time;
        }

        _loop.Interrupt();
        try
        {
            return await done.WaitAsync(ZoomTimeout, time, cancellation).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return -1;
        }
    }

    /// <summary>Before each live view: a zoom asked for is set first (the live view is stopped meanwhile).</summary>
    private async Task<IReadOnlyList<string>> PrepareAsync(SourceContext context, CancellationToken cancellation)
    {
        int zoom;
        TaskCompletionSource<int>? done;
        lock (_gate)
        {
            done = _zoomDone;
            if (done is null && !_zoomPending)
            {
                return [ProgramPath, .. LiveViewArguments];
            }

            zoom = _requestedZoom;
            _zoomDone = null;
            _zoomPending = false;
        }

        var result = -1;
        try
        {
            result = await SetZoomAsync(context, zoom, cancellation).ConfigureAwait(false);
        }
        finally
        {
            done?.TrySetResult(result);
        }

        return [ProgramPath, .. LiveViewArguments];
    }

    private async Task<int> SetZoomAsync(SourceContext context, int zoom, CancellationToken cancellation)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        bounded.CancelAfter(ZoomTimeout);
        string[] command = [ProgramPath, .. PortArguments, "--set-config", $"zoom={zoom}"];
        var result = await _configRunner.RunAsync(
            command,
            context.Logger,
            context.Time,
            async (stdout, ct) =>
            {
                await stdout.CopyToAsync(Stream.Null, ct).ConfigureAwait(false);
                return 0;
            },
            null,
            exitIsNormal: true,
            bounded.Token).ConfigureAwait(false);
        cancellation.ThrowIfCancellationRequested();
        if (result.Started && result.ExitCode == 0 && !bounded.IsCancellationRequested)
        {
            Volatile.Write(ref _zoom, zoom);
            Log.ZoomSet(context.Logger, zoom);
            return 0;
        }

        var why = bounded.IsCancellationRequested ? $"no answer within {ZoomTimeout.TotalSeconds} s"
            : _configRunner.LastErrorLine ?? result.Reason;
        Log.ZoomFailed(context.Logger, zoom, why);
        return -1;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.Ptp2Command, Level = LogLevel.Information, Message = "input_ptp2: live view: {Command}")]
        public static partial void Command(ILogger logger, string command);

        [LoggerMessage(EventId = LogEvents.Ptp2ZoomSet, Level = LogLevel.Information, Message = "input_ptp2: zoom set to {Zoom}")]
        public static partial void ZoomSet(ILogger logger, int zoom);

        [LoggerMessage(EventId = LogEvents.Ptp2ZoomFailed, Level = LogLevel.Warning, Message = "input_ptp2: zoom {Zoom} not set: {Why}")]
        public static partial void ZoomFailed(ILogger logger, int zoom, string why);
    }
}
