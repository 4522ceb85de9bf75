using MjpgStreamer.Core.Options;
using MjpgStreamer.Native.Jpeg;

namespace MjpgStreamer.Native.Sources.Uvc;

/// <summary>input_uvc.so's settings (README's input_uvc table), parsed and checked once at start.</summary>
public sealed record UvcOptions
{
    public const string DefaultDevice = "/dev/video0";

    /// <summary>The device path as given (/dev/video0 or a /dev/v4l/by-id link, resolved again on every open).</summary>
    public string Device { get; init; } = DefaultDevice;

    public int Width { get; init; } = 640;

    public int Height { get; init; } = 480;

    /// <summary>Frames per second to ask the driver for; 0 leaves the driver's default.</summary>
    public int Fps { get; init; }

    /// <summary>Null for MJPEG (passed through); else the raw layout to capture and encode.</summary>
    public RawPixelLayout? Raw { get; init; }

    /// <summary>JPEG quality of the software encoding (raw formats only).</summary>
    public int Quality { get; init; } = 80;

    public int MinimumSize { get; init; }

    public int EveryFrame { get; init; } = 1;

    /// <summary>The video standard to select (V4L2_STD_*), for analogue capture cards; null leaves it.</summary>
    public ulong? TvNorm { get; init; }

    /// <summary>Drop frames closer than 1/SoftFps seconds; 0 is off.</summary>
    public int SoftFps { get; init; }

    /// <summary>How long without a frame before the camera counts as lost.</summary>
    public int TimeoutSeconds { get; init; } = 5;

    public bool DvTimings { get; init; }

    internal IReadOnlyList<CameraSetting> Settings { get; init; } = [];

    /// <summary>Encoder threads for raw formats.</summary>
    public int Workers { get; init; } = DefaultWorkers;

    public int Buffers { get; init; } = 4;

    /// <summary>The size of ?action=still; null: the largest size the camera offers.</summary>
    public (int Width, int Height)? StillSize { get; init; }

    /// <summary>Frames skipped before the still is taken, so exposure settles at the new size.</summary>
    public int StillSkip { get; init; } = 3;

    public static int DefaultWorkers => Math.Clamp(Environment.ProcessorCount, 1, 4);

    public static IReadOnlyList<OptionSpec> Specs { get; } =
    [
        new("d", true, "d", "device"),
        new("r", true, "r", "resolution"),
        new("f", true, "f", "fps"),
        new("y", false, "y", "yuv"),
        new("u", false, "u", "uyvy"),
        new("fourcc", true, "fourcc"),
        new("q", true, "q", "quality"),
        new("m", true, "m", "minimum_size"),
        new("e", true, "e", "every_frame"),
        new("n", false, "n", "no_dynctrl"),
        new("l", true, "l", "led"),
        new("t", true, "t", "tvnorm"),
        new("timestamp", false, "timestamp"),
        new("softfps", true, "softfps"),
        new("timeout", true, "timeout"),
        new("dv_timings", false, "dv_timings"),
        new("br", true, "br"),
        new("co", true, "co"),
        new("sh", true, "sh"),
        new("sa", true, "sa"),
        new("wb", true, "wb"),
        new("ex", true, "ex"),
        new("bk", true, "bk"),
        new("rot", true, "rot"),
        new("hf", true, "hf"),
        new("vf", true, "vf"),
        new("pl", true, "pl"),
        new("gain", true, "gain"),
        new("cagc", true, "cagc"),
        new("cb", true, "cb"),
        new("workers", true, "workers"),
        new("still", true, "still"),
        new("still_skip", true, "still_skip"),
    ];

    /// <summary>Reads the options; bad values throw <see cref="UsageException"/> (exit 2). Warnings go to <paramref name="warn"/>.</summary>
    public static UvcOptions Parse(ParsedOptions options, Action<string> warn)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(warn);
        var (width, height) = options.GetResolution("r") ?? (640, 480);
        var fps = options.Get("f") is null ? 0 : options.GetInt("f", 0, 1, 1000);
        var result = new UvcOptions
        {
            Device = options.Get("d") is { Length: > 0 } device ? device : DefaultDevice,
            Width = width,
            Height = height,
            Fps = fps,
            Raw = ParseRaw(options, warn),
            Quality = options.GetInt("q", 80, 0, 100),
            MinimumSize = options.GetInt("m", 0, 0),
            EveryFrame = options.GetInt("e", 1, 1),
            TvNorm = ParseTvNorm(options.Get("t")),
            SoftFps = options.GetInt("softfps", 0, 0, 1000),
            TimeoutSeconds = Math.Max(1, options.GetInt("timeout", 5, 0, 3600)),
            DvTimings = options.Has("dv_timings"),
            Settings = CameraSetting.FromOptions(options),
            Workers = options.GetInt("workers", DefaultWorkers, 1, 16),
            StillSize = options.GetResolution("still"),
            StillSkip = options.GetInt("still_skip", 3, 0, 100),
        };

        if (options.Get("l") is { } led && led is not ("on" or "off" or "blink" or "auto"))
        {
            throw new UsageException($"{options.Plugin}: -l '{led}' is not on, off, blink or auto");
        }

        return result;
    }

    private static RawPixelLayout? ParseRaw(ParsedOptions options, Action<string> warn)
    {
        RawPixelLayout? raw = null;
        if (options.Has("y"))
        {
            raw = RawPixelLayout.Yuyv;
        }

        if (options.Has("u"))
        {
            raw = RawPixelLayout.Uyvy;
        }

        if (options.Get("fourcc") is { } fourcc)
        {
            switch (fourcc.ToUpperInvariant())
            {
                case "RGB24" or "RGB3":
                    raw = RawPixelLayout.Rgb24;
                    break;
                case "RGBP" or "RGB565":
                    raw = RawPixelLayout.Rgb565;
                    break;
                case "MJPG" or "MJPEG":
                    raw = null;
                    break;
                case "YUYV":
                    raw = RawPixelLayout.Yuyv;
                    break;
                case "UYVY":
                    raw = RawPixelLayout.Uyvy;
                    break;
                default:
                    warn($"-fourcc '{fourcc}' is not supported (RGB24, RGBP, YUYV, UYVY or MJPG); ignored");
                    break;
            }
        }

        return raw;
    }

    // Unknown norms are ignored, as the original does.
    private static ulong? ParseTvNorm(string? text) => text?.ToLowerInvariant() switch
    {
        "pal" => 0x00000000000000FFUL,
        "ntsc" => 0x000000000000B000UL,
        "secam" => 0x0000000000FF0000UL,
        _ => null,
    };

    public static string Help { get; } = PluginHelp.Format(
        "input",
        "UVC webcam grabber",
        ("[-d | --device ]", "video device to open (your camera), default /dev/video0;\na /dev/v4l/by-id/... link is followed again on every reopen"),
        ("[-r | --resolution ]", "the resolution of the video device,\ncan be one of the following strings:\nQQVGA QCIF CGA QVGA CIF PAL VGA SVGA XGA HD SXGA UXGA FHD\nor a custom value like the following\nexample: 640x480"),
        ("[-f | --fps ]", "frames per second (the driver's default if not given)"),
        ("[-y | --yuv ]", "enable YUYV format and disable MJPEG mode"),
        ("[-u | --uyvy ]", "enable UYVY format and disable MJPEG mode"),
        ("[-fourcc ]", "capture RGB24 or RGBP (RGB565) and encode to JPEG"),
        ("[-q | --quality ]", "JPEG quality in percent of the software encoding\n(YUYV, UYVY, RGB), default 80"),
        ("[-m | --minimum_size ]", "drop frames smaller than this limit, useful\nif the webcam produces small-sized garbage frames\nmay happen under low light conditions"),
        ("[-e | --every_frame ]", "drop all frames except numbered"),
        ("[-n | --no_dynctrl ]", "do not initalize dynctrls of Linux-UVC driver"),
        ("[-l | --led ]", "switch the LED \"on\", \"off\", let it \"blink\" or leave\nit up to the driver using the value \"auto\" (accepted, ignored)"),
        ("[-t | --tvnorm ]", "set TV-Norm pal, ntsc or secam"),
        ("[-timestamp ]", "frame timestamps are always the wall clock (X-Timestamp)"),
        ("[-softfps ]", "drop frames to reach at most this frame rate"),
        ("[-timeout ]", "seconds without a frame before the camera counts as lost\n(then reopened), default 5, at least 1"),
        ("[-dv_timings ]", "query and set the DV timings, re-initialise on a source change"),
        ("[-workers ]", "JPEG encoder threads for YUYV/UYVY/RGB, default the cores (max 4)"),
        ("[-still ]", "size of ?action=still, WxH or a name, default the largest\nsize the camera offers"),
        ("[-still_skip ]", "frames skipped at the still size before the still is\ntaken (exposure settles), default 3"),
        ("[-br ]", "Set image brightness (auto or integer);\nthis and the settings below need the camera's support"),
        ("[-co ]", "Set image contrast (integer)"),
        ("[-sh ]", "Set image sharpness (integer)"),
        ("[-sa ]", "Set image saturation (integer)"),
        ("[-cb ]", "Set color balance, hue (auto or integer)"),
        ("[-wb ]", "Set white balance (auto or integer)"),
        ("[-ex ]", "Set exposure (auto, shutter-priority, aperature-priority, or integer)"),
        ("[-bk ]", "Set backlight compensation (integer)"),
        ("[-rot ]", "Set image rotation (0-359)"),
        ("[-hf ]", "Set horizontal flip (true/false)"),
        ("[-vf ]", "Set vertical flip (true/false)"),
        ("[-pl ]", "Set power line filter (disabled, 50hz, 60hz, auto)"),
        ("[-gain ]", "Set gain (auto or integer)"),
        ("[-cagc ]", "Set chroma gain control (auto or integer)"));
}
