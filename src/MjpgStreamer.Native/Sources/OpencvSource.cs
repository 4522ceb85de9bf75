using System.Globalization;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Diagnostics;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Sources.Raspicam;
using MjpgStreamer.Native.Sources.Uvc;
using MjpgStreamer.Native.V4l2;

namespace MjpgStreamer.Native.Sources;

/// <summary>
/// input_opencv.so on ffmpeg instead of OpenCV (OpenCV 3, which the original needs, is gone from today's
/// distributions): whatever ffmpeg opens (a V4L2 camera, a video file, an RTSP or HTTP URL) is decoded, sized
/// (-r), adjusted (-br -co -sa through ffmpeg's eq filter), limited to -f frames a second and encoded as JPEG at -q
/// by <c>ffmpeg … -f mjpeg -q:v N -</c>, whose stdout <see cref="ChildStreamLoop"/> reads (restarted with backoff,
/// NO SIGNAL with the reason meanwhile). A file plays in a loop at its own speed. -gain and -ex are V4L2 controls,
/// set on the device before each start. The original's filter plugins (-filter, -fargs) are OpenCV code: refused.
/// </summary>
public sealed partial class OpencvSource : IFrameSource
{
    public const string Name = "input_opencv.so";

    /// <summary>The program, as Debian's package of the same name installs it.</summary>
    public const string Program = "ffmpeg";

    private const string PluginDisplayName = "OpenCV Input plugin";

    private readonly ChildStreamLoop _loop = new("input_opencv");
    private readonly string _shownCommand;
    private bool _logged;

    public OpencvSource(string program, OpencvSettings settings)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        ArgumentNullException.ThrowIfNull(settings);
        ProgramPath = program;
        Settings = settings;
        Arguments = BuildArguments(settings);
        _shownCommand = SecretMask.MaskUrls(string.Join(' ', [Program, .. Arguments]));
    }

    /// <summary>The plugin descriptor: parse its words with <see cref="PluginOptionParser"/>, then call <see cref="InputPlugin.Create"/>.</summary>
    public static InputPlugin Plugin { get; } = new(
        Name,
        PluginDisplayName,
        [
            new OptionSpec("d", true, "d", "device"),
            new OptionSpec("r", true, "r", "resolution"),
            new OptionSpec("f", true, "f", "fps"),
            new OptionSpec("q", true, "q", "quality"),
            new OptionSpec("co", true, "co"),
            new OptionSpec("br", true, "br"),
            new OptionSpec("sa", true, "sa"),
            new OptionSpec("gain", true, "gain"),
            new OptionSpec("ex", true, "ex"),
            new OptionSpec("filter", true, "filter"),
            new OptionSpec("fargs", true, "fargs"),
        ],
        PluginHelp.Format(
            "input",
            PluginDisplayName,
            ("[-d | --device ]", "default (/dev/video0), a number N (/dev/videoN), a\nV4L2 device, a video file (played in a loop) or a URL\n(rtsp://, http://, ...); read by ffmpeg (sudo apt\ninstall ffmpeg)"),
            ("[-r | --resolution ]", "WxH or a name (VGA, HD, ...): a camera is asked for it\n(default 640x480), anything else is scaled to it\n(default: its own size)"),
            ("[-f | --fps ]", "frames per second at most (default: the source's)"),
            ("[-q | --quality ]", "JPEG quality 1..100, default 80"),
            ("[-br ]", "brightness -100..100, 0 unchanged (ffmpeg eq)"),
            ("[-co ]", "contrast in percent 0..200, 100 unchanged (ffmpeg eq)"),
            ("[-sa ]", "saturation in percent 0..300, 100 unchanged (ffmpeg eq)"),
            ("[-gain ]", "a V4L2 camera's gain control (its own units)"),
            ("[-ex ]", "a V4L2 camera's exposure: manual, exposure_absolute\n(its own units)"),
            ("[-filter ] [-fargs ]", "OpenCV filter plugins: not supported")),
        Create)
    {
        Summary = "a camera, video file or RTSP/HTTP URL through ffmpeg (-d SOURCE -r WxH -f FPS -q QUALITY)",
    };

    public string DisplayName => PluginDisplayName;

    /// <summary>ffmpeg as found at start (a path).</summary>
    public string ProgramPath { get; }

    public OpencvSettings Settings { get; }

    /// <summary>ffmpeg's arguments (without the program).</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>How many times ffmpeg was started.</summary>
    public long Starts => _loop.Starts;

    /// <summary>The running ffmpeg's pid, 0 while none runs.</summary>
    public int ChildProcessId => _loop.ChildProcessId;

    internal TimeSpan InitialBackoff { get => _loop.InitialBackoff; init => _loop.InitialBackoff = value; }

    /// <summary>No frame for this long ends the run as a failure (10 s).</summary>
    internal TimeSpan Silence { get => _loop.Silence; init => _loop.Silence = value; }

    /// <summary>
    /// ffmpeg's -q:v for a JPEG quality 1..100: the qscale whose quantisation tables are nearest libjpeg's for that
    /// quality. ffmpeg's tables at qscale N are about 7·N percent of the quality-50 table; libjpeg's are 5000/Q percent
    /// below 50 and 200−2Q above. So 90 → 3, 80 → 6, 50 → 14; ffmpeg's range 2..31 (about quality 93 to 23) bounds it.
    /// </summary>
    public static int QualityToQscale(int quality)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        var percent = quality < 50 ? 5000.0 / quality : 200 - (2.0 * quality);
        return Math.Clamp((int)Math.Round(percent / 7.0, MidpointRounding.AwayFromZero), 2, 31);
    }

    public static OpencvSource Create(ParsedOptions options, PluginEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Has("filter") || options.Has("fargs"))
        {
            throw new UsageException($"{Name}: -{(options.Has("filter") ? "filter" : "fargs")}: OpenCV filter plugins are not supported (this input runs ffmpeg, not OpenCV)");
        }

        var settings = OpencvSettings.FromOptions(options);
        if (settings.Kind == OpencvSourceKind.File && !File.Exists(settings.Source))
        {
            throw new StartupException($"{Name}: -d '{settings.Source}' is neither default, a number, a device, a URL nor an existing file");
        }

        var program = RaspicamPrograms.Find([Program], null)
            ?? throw new StartupException($"{Name}: {Program} is not installed (not found in PATH); install it with: sudo apt install {Program}");
        return new OpencvSource(program, settings);
    }

    /// <summary>ffmpeg's arguments for these settings.</summary>
    public static IReadOnlyList<string> BuildArguments(OpencvSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var inv = CultureInfo.InvariantCulture;
        var args = new List<string> { "-nostdin", "-hide_banner", "-loglevel", "error" };
        var filters = new List<string>();
        switch (settings.Kind)
        {
            case OpencvSourceKind.Device:
                args.AddRange(["-f", "v4l2"]);
                if (settings.Fps is { } rate)
                {
                    args.AddRange(["-framerate", rate.ToString(inv)]);
                }

                var (w, h) = settings.Resolution ?? (640, 480);
                args.AddRange(["-video_size", $"{w}x{h}"]);
                break;
            case OpencvSourceKind.File:
                // At its own speed (-re), from the start again at its end.
                args.AddRange(["-re", "-stream_loop", "-1"]);
                break;
            case OpencvSourceKind.Rtsp:
                args.AddRange(["-rtsp_transport", "tcp"]);
                break;
            default:
                break;
        }

        args.AddRange(["-i", settings.Source, "-an", "-sn", "-dn"]);
        if (settings.Resolution is { } size)
        {
            filters.Add(string.Create(inv, $"scale={size.Width}:{size.Height}"));
        }

        var eq = new List<string>();
        if (settings.Brightness is { } br)
        {
            eq.Add(string.Create(inv, $"brightness={br / 100.0}"));
        }

        if (settings.Contrast is { } co)
        {
            eq.Add(string.Create(inv, $"contrast={co / 100.0}"));
        }

        if (settings.Saturation is { } sa)
        {
            eq.Add(string.Create(inv, $"saturation={sa / 100.0}"));
        }

        if (eq.Count > 0)
        {
            filters.Add("eq=" + string.Join(':', eq));
        }

        if (filters.Count > 0)
        {
            args.AddRange(["-vf", string.Join(',', filters)]);
        }

        if (settings.Fps is { } fps)
        {
            // Frames that would fall on the same 1/fps tick are dropped, none is duplicated (a stalled stream does
            // not come back as a burst).
            args.AddRange(["-fps_mode", "vfr", "-r", fps.ToString(inv)]);
        }

        args.AddRange(["-f", "mjpeg", "-q:v", QualityToQscale(settings.Quality).ToString(inv), "-"]);
        return args;
    }

    public Task RunAsync(SourceContext context, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!_logged)
        {
            _logged = true;
            Log.Command(context.Logger, _shownCommand);
            if (Settings.Kind != OpencvSourceKind.Device && (Settings.Gain is not null || Settings.Exposure is not null))
            {
                Log.NotApplied(context.Logger, Settings.Gain is not null ? "-gain" : "-ex");
            }
        }

        return _loop.RunAsync(context, ct => Task.FromResult(Prepare(context)), null, null, cancellation);
    }

    private IReadOnlyList<string> Prepare(SourceContext context)
    {
        if (Settings.Kind == OpencvSourceKind.Device && PrepareDevice(context.Logger))
        {
            // The camera sends MJPEG: ffmpeg asks for it (YUYV, often the first format, is slow at larger sizes).
            return [ProgramPath, .. WithInputFormat(Arguments, "mjpeg")];
        }

        return [ProgramPath, .. Arguments];
    }

    /// <summary>The arguments with <c>-input_format FORMAT</c> right after <c>-f v4l2</c>.</summary>
    public static IReadOnlyList<string> WithInputFormat(IReadOnlyList<string> arguments, string format)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var list = arguments.ToList();
        var at = list.IndexOf("v4l2");
        if (at > 0 && list[at - 1] == "-f")
        {
            list.InsertRange(at + 1, ["-input_format", format]);
        }

        return list;
    }

    /// <summary>
    /// Before ffmpeg opens the camera: -gain and -ex are set on it (ffmpeg's v4l2 input has no options for them; they
    /// stay set), and whether it offers MJPEG is looked up. A camera that cannot be opened is left to ffmpeg to report.
    /// </summary>
    private bool PrepareDevice(ILogger logger)
    {
        try
        {
            using var device = V4l2Device.Open(Settings.Source);
            SetDeviceControls(device, logger);
            return device.EnumerateFormats().Any(f => f.PixelFormat == FourCc.Mjpeg);
        }
        catch (V4l2Exception)
        {
            // Missing or busy: ffmpeg says so when it tries, and the loop retries.
            return false;
        }
    }

    private void SetDeviceControls(V4l2Device device, ILogger logger)
    {
        if (Settings.Gain is { } gain)
        {
            TrySet(logger, "-gain", () =>
            {
                TryQuiet(() => device.SetControl(ControlIds.AutoGain, 0));
                device.SetControl(ControlIds.Gain, gain);
            });
        }

        if (Settings.Exposure is { } exposure)
        {
            TrySet(logger, "-ex", () =>
            {
                device.SetControl(ControlIds.ExposureAuto, ControlIds.ExposureModeManual);
                device.SetControl(ControlIds.ExposureAbsolute, exposure);
            });
        }
    }

    private void TrySet(ILogger logger, string option, Action set)
    {
        try
        {
            set();
        }
        catch (V4l2Exception ex)
        {
            Log.ControlFailed(logger, option, Settings.Source, ex.Message);
        }
    }

    private static void TryQuiet(Action set)
    {
        try
        {
            set();
        }
        catch (V4l2Exception)
        {
            // Not every camera has the automatic one.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.OpencvCommand, Level = LogLevel.Information, Message = "input_opencv: {Command}")]
        public static partial void Command(ILogger logger, string command);

        [LoggerMessage(EventId = LogEvents.OpencvNotApplied, Level = LogLevel.Warning, Message = "input_opencv: {Option} is a camera (V4L2) control; not applied to a file or URL")]
        public static partial void NotApplied(ILogger logger, string option);

        [LoggerMessage(EventId = LogEvents.OpencvControlFailed, Level = LogLevel.Warning, Message = "input_opencv: {Option} not set on {Device}: {Reason}")]
        public static partial void ControlFailed(ILogger logger, string option, string device, string reason);
    }
}

/// <summary>What input_opencv's -d names: a V4L2 device, a file, an RTSP URL or another URL.</summary>
public enum OpencvSourceKind
{
    Device,
    File,
    Rtsp,
    Url,
}

/// <summary>input_opencv's options, checked: the source and how its frames are shaped.</summary>
public sealed record OpencvSettings(
    string Source,
    OpencvSourceKind Kind,
    (int Width, int Height)? Resolution,
    int? Fps,
    int Quality,
    int? Brightness,
    int? Contrast,
    int? Saturation,
    int? Gain,
    int? Exposure)
{
    public static OpencvSettings FromOptions(ParsedOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var device = options.Get("d") ?? "default";
        var (source, kind) = Classify(device);
        return new OpencvSettings(
            source,
            kind,
            options.GetResolution("r"),
            options.Has("f") ? options.GetInt("f", 0, 1, 120) : null,
            options.GetInt("q", 80, 1, 100),
            options.Has("br") ? options.GetInt("br", 0, -100, 100) : null,
            options.Has("co") ? options.GetInt("co", 100, 0, 200) : null,
            options.Has("sa") ? options.GetInt("sa", 100, 0, 300) : null,
            options.Has("gain") ? options.GetInt("gain", 0) : null,
            options.Has("ex") ? options.GetInt("ex", 0) : null);
    }

    /// <summary>default → /dev/video0, N → /dev/videoN, /dev/… a device, scheme:// a URL, anything else a file.</summary>
    public static (string Source, OpencvSourceKind Kind) Classify(string device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device is "default" or "")
        {
            return ("/dev/video0", OpencvSourceKind.Device);
        }

        if (int.TryParse(device, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return ($"/dev/video{index}", OpencvSourceKind.Device);
        }

        if (device.StartsWith("/dev/", StringComparison.Ordinal))
        {
            return (device, OpencvSourceKind.Device);
        }

        if (device.StartsWith("rtsp://", StringComparison.OrdinalIgnoreCase) || device.StartsWith("rtsps://", StringComparison.OrdinalIgnoreCase))
        {
            return (device, OpencvSourceKind.Rtsp);
        }

        return device.Contains("://", StringComparison.Ordinal) ? (device, OpencvSourceKind.Url) : (device, OpencvSourceKind.File);
    }
}
