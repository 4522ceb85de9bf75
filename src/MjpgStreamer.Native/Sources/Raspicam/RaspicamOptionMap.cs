using System.Globalization;
using MjpgStreamer.Core.Options;

namespace MjpgStreamer.Native.Sources.Raspicam;

/// <summary>
/// The one table from input_raspicam's options (the original's MMAL-era raspicam option words and ranges, such
/// as -br 0..100 and -co -100..100) to rpicam-apps options: per option its names, which tool gets it
/// (rpicam-vid, rpicam-still or both), and the function that turns its value into rpicam words. Options without an rpicam equivalent are accepted and produce a warning
/// (logged once at start); bad values are a <see cref="UsageException"/> naming the option.
/// </summary>
internal static class RaspicamOptionMap
{
    public const string Plugin = "input_raspicam.so";

    public const int DefaultWidth = 640;
    public const int DefaultHeight = 480;
    public const int DefaultFps = 5;
    public const int DefaultQuality = 85;

    private static readonly string[] ExposureModes = ["off", "auto", "night", "nightpreview", "backlight", "spotlight", "sports", "snow", "beach", "verylong", "fixedfps", "antishake", "fireworks"];
    private static readonly string[] AwbModes = ["off", "auto", "sun", "cloud", "shade", "tungsten", "fluorescent", "incandescent", "flash", "horizon"];
    private static readonly string[] MeteringModes = ["average", "spot", "backlit", "matrix"];
    private static readonly string[] DrcModes = ["off", "low", "med", "high"];
    private static readonly string[] ImageEffects = ["none", "negative", "solarise", "sketch", "denoise", "emboss", "oilpaint", "hatch", "gpen", "pastel", "watercolour", "film", "blur", "saturation", "colourswap", "washedout", "posterise", "colourpoint", "colourbalance", "cartoon"];

    /// <summary>The table, in the order the rpicam words are emitted.</summary>
    public static IReadOnlyList<Row> Rows { get; } =
    [
        new(new("x", true, "x", "width"), "--width", Tool.Video, Always: true, "[-x | --width ]", "width of the stream (640)",
            o => Words("--width", Int(o.GetInt("x", DefaultWidth, 16, 16384)))),
        new(new("y", true, "y", "height"), "--height", Tool.Video, Always: true, "[-y | --height ]", "height of the stream (480)",
            o => Words("--height", Int(o.GetInt("y", DefaultHeight, 16, 16384)))),
        new(new("fps", true, "fps", "framerate"), "--framerate", Tool.Video, Always: true, "[-fps | --framerate ]", "frames per second (5)",
            o => Words("--framerate", Int(o.GetInt("fps", DefaultFps, 1, 120)))),
        new(new("quality", true, "quality"), "--quality", Tool.Video, Always: true, "[-quality ]", "JPEG quality of the stream, 1-100 (85)",
            o => Words("--quality", Int(o.GetInt("quality", DefaultQuality, 1, 100)))),
        new(new("camera", true, "camera"), "--camera", Tool.Both, Always: false, "[-camera ]", "rpicam camera number (0)",
            o => Words("--camera", Int(o.GetInt("camera", 0, 0, 15)))),
        new(new("still", true, "still"), "--width/--height", Tool.Still, Always: false, "[-still ]", "size of ?action=still pictures, WxH\n(default: the sensor's full size)",
            o => o.GetResolution("still") is { } size ? Words("--width", Int(size.Width), "--height", Int(size.Height)) : Mapping.None),
        new(new("br", true, "br"), "--brightness", Tool.Both, Always: false, "[-br ]", "brightness 0-100 (50) -> --brightness -1..1",
            o => Words("--brightness", Num((o.GetInt("br", 50, 0, 100) - 50) / 50.0))),
        new(new("co", true, "co"), "--contrast", Tool.Both, Always: false, "[-co ]", "contrast -100..100 (0) -> --contrast 0..2",
            o => Words("--contrast", Num(1 + (o.GetInt("co", 0, -100, 100) / 100.0)))),
        new(new("sa", true, "sa"), "--saturation", Tool.Both, Always: false, "[-sa ]", "saturation -100..100 (0) -> --saturation 0..2",
            o => Words("--saturation", Num(1 + (o.GetInt("sa", 0, -100, 100) / 100.0)))),
        new(new("sh", true, "sh"), "--sharpness", Tool.Both, Always: false, "[-sh ]", "sharpness -100..100 (0) -> --sharpness 0..2",
            o => Words("--sharpness", Num(1 + (o.GetInt("sh", 0, -100, 100) / 100.0)))),
        new(new("ISO", true, "ISO"), "--gain", Tool.Both, Always: false, "[-ISO ]", "ISO, 0 is auto -> --gain ISO/100",
            o => o.GetInt("ISO", 0, 0, 6400) is var iso and > 0 ? Words("--gain", Num(iso / 100.0)) : Mapping.None),
        new(new("ev", true, "ev"), "--ev", Tool.Both, Always: false, "[-ev ]", "exposure compensation in 1/6 stops, -10..10 -> --ev",
            o => o.GetInt("ev", 0, -10, 10) is var ev and not 0 ? Words("--ev", Num(ev / 6.0)) : Mapping.None),
        new(new("ex", true, "ex"), "--exposure", Tool.Both, Always: false, "[-ex ]", "exposure mode: auto, sports, night, verylong, ...\n-> --exposure normal|sport|long",
            o => Exposure(Word(o, "ex", ExposureModes))),
        new(new("awb", true, "awb"), "--awb", Tool.Both, Always: false, "[-awb ]", "white balance: auto, sun, cloud, shade, tungsten,\nfluorescent, incandescent, flash, horizon, off\n(off uses -awbgainR/-awbgainB) -> --awb, --awbgains",
            Awb),
        new(new("awbgainR", true, "awbgainR"), "--awbgains", Tool.Both, Always: false, "[-awbgainR ]", "red gain for -awb off",
            o => AwbGain(o, "awbgainR")),
        new(new("awbgainB", true, "awbgainB"), "--awbgains", Tool.Both, Always: false, "[-awbgainB ]", "blue gain for -awb off",
            o => AwbGain(o, "awbgainB")),
        new(new("mm", true, "mm"), "--metering", Tool.Both, Always: false, "[-mm ]", "metering: average, spot, backlit, matrix\n-> --metering average|spot|matrix",
            o => Words("--metering", Word(o, "mm", MeteringModes) switch { "average" => "average", "spot" => "spot", _ => "matrix" })),
        new(new("rot", true, "rot"), "--rotation", Tool.Both, Always: false, "[-rot ]", "rotation: 0 or 180 (90 and 270: not with rpicam)",
            Rotation),
        new(new("hf", false, "hf"), "--hflip", Tool.Both, Always: false, "[-hf ]", "flip horizontally",
            _ => Words("--hflip")),
        new(new("vf", false, "vf"), "--vflip", Tool.Both, Always: false, "[-vf ]", "flip vertically",
            _ => Words("--vflip")),
        new(new("shutter", true, "shutter"), "--shutter", Tool.Both, Always: false, "[-shutter ]", "shutter time in microseconds, 0 is auto",
            o => o.GetInt("shutter", 0, 0, 1_000_000_000) is var us and > 0 ? Words("--shutter", Int(us)) : Mapping.None),
        new(new("roi", true, "roi"), "--roi", Tool.Both, Always: false, "[-roi ]", "region of interest x,y,w,h (fractions 0-1)",
            o => Words("--roi", Roi(o.Get("roi")!))),
        new(new("ifx", true, "ifx"), "--denoise", Tool.Both, Always: false, "[-ifx ]", "image effect: only none and denoise\n(-> --denoise cdn_hq) have an rpicam equivalent",
            o => Word(o, "ifx", ImageEffects) switch
            {
                "none" => Mapping.None,
                "denoise" => Words("--denoise", "cdn_hq"),
                var other => Warn($"-ifx {other}: rpicam has no image effects; ignored"),
            }),
        new(new("cfx", true, "cfx"), "--saturation", Tool.Both, Always: false, "[-cfx ]", "colour effect U:V; only 128:128 (black and white,\n-> --saturation 0) has an rpicam equivalent",
            ColourEffect),
        new(new("drc", true, "drc"), "", Tool.Both, Always: false, "[-drc ]", "dynamic range compression: no rpicam equivalent",
            o => Word(o, "drc", DrcModes) is "off" ? Mapping.None : Warn($"-drc {o.Get("drc")}: rpicam has no dynamic range compression; ignored")),
        new(new("vs", false, "vs"), "", Tool.Both, Always: false, "[-vs ]", "video stabilisation: no rpicam equivalent",
            _ => Warn("-vs: rpicam has no video stabilisation; ignored")),
        new(new("usestills", false, "usestills"), "", Tool.Video, Always: false, "[-usestills ]", "ignored: frames always come from rpicam-vid\n(for full-resolution pictures use ?action=still)",
            _ => Warn("-usestills: frames come from rpicam-vid's video stream; use ?action=still for full-resolution stills; ignored")),
        new(new("preview", false, "preview"), "", Tool.Video, Always: false, "[-preview ]", "ignored: no preview window (--nopreview)",
            _ => Warn("-preview: rpicam runs without a preview window here; ignored")),
        new(new("stats", false, "stats"), "", Tool.Video, Always: false, "[-stats ]", "ignored: see /state and /program.json instead",
            _ => Warn("-stats: no per-frame statistics; see /state for rates; ignored")),
        new(new("timestamp", false, "timestamp"), "", Tool.Video, Always: false, "[-timestamp ]", "frames carry the wall-clock time (always)",
            _ => Mapping.None),
        new(new("still_args", true, "still_args"), "(words)", Tool.Still, Always: false, "[-still_args ]", "more rpicam-still options, e.g. \"-q 95 --denoise off\"",
            o => Words([.. ArgumentSplitter.SplitWords(o.Get("still_args")!)])),
    ];

    public static IReadOnlyList<OptionSpec> Specs { get; } = [.. Rows.Select(r => r.Spec)];

    /// <summary>Maps parsed options to rpicam words; throws <see cref="UsageException"/> for a bad value.</summary>
    public static RaspicamSettings Map(ParsedOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var video = new List<string>();
        var still = new List<string>();
        var warnings = new List<string>();
        foreach (var row in Rows)
        {
            if (!row.Always && !options.Has(row.Spec.Key))
            {
                continue;
            }

            var mapping = row.Convert(options);
            if (mapping.Warning is { } warning)
            {
                warnings.Add(warning);
            }

            if ((row.Target & Tool.Video) != 0)
            {
                video.AddRange(mapping.Words);
            }

            if ((row.Target & Tool.Still) != 0)
            {
                still.AddRange(mapping.Words);
            }
        }

        return new RaspicamSettings(
            options.GetInt("x", DefaultWidth),
            options.GetInt("y", DefaultHeight),
            video,
            still,
            warnings);
    }

    private static Mapping Exposure(string mode) => mode switch
    {
        "auto" => Words("--exposure", "normal"),
        "sports" => Words("--exposure", "sport"),
        "night" or "nightpreview" or "verylong" => Words("--exposure", "long"),
        "off" => Warn("-ex off: rpicam has no exposure-off mode; set -shutter and -ISO for a fixed exposure; ignored"),
        _ => Warn($"-ex {mode}: rpicam has no such exposure mode (only normal, sport, long); ignored"),
    };

    private static Mapping Awb(ParsedOptions options)
    {
        var mode = Word(options, "awb", AwbModes);
        if (mode == "off")
        {
            var red = options.GetDouble("awbgainR", 0, 0);
            var blue = options.GetDouble("awbgainB", 0, 0);
            return red > 0 && blue > 0
                ? Words("--awbgains", Num(red) + "," + Num(blue))
                : Warn("-awb off needs -awbgainR and -awbgainB (both above 0); automatic white balance stays on");
        }

        return Words("--awb", mode switch
        {
            "sun" or "flash" => "daylight",
            "cloud" or "shade" => "cloudy",
            "horizon" => "tungsten",
            _ => mode,
        });
    }

    private static Mapping AwbGain(ParsedOptions options, string key)
    {
        _ = options.GetDouble(key, 0, 0);

        // As in the original, the gains count only with -awb off (the -awb row turns them into --awbgains).
        return options.Get("awb") == "off" ? Mapping.None : Warn($"-{key} is used only with -awb off; ignored");
    }

    private static Mapping Rotation(ParsedOptions options)
    {
        var text = options.Get("rot")!;
        var degrees = ((options.GetInt("rot", 0) % 360) + 360) % 360;
        return degrees switch
        {
            0 => Mapping.None,
            180 => Words("--rotation", "180"),
            90 or 270 => Warn($"-rot {text}: rpicam can rotate only by 0 or 180 degrees; the picture is not rotated"),
            _ => throw new UsageException($"{Plugin}: -rot '{text}' is not 0, 90, 180 or 270"),
        };
    }

    private static Mapping ColourEffect(ParsedOptions options)
    {
        var text = options.Get("cfx")!;
        var parts = text.Split(':');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var u)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var v)
            || u > 255 || v > 255)
        {
            throw new UsageException($"{Plugin}: -cfx '{text}' is not U:V with U and V from 0 to 255");
        }

        return (u, v) == (128, 128)
            ? Words("--saturation", "0")
            : Warn($"-cfx {text}: rpicam has no colour effects (only 128:128, black and white); ignored");
    }

    private static string Roi(string text)
    {
        var parts = text.Split(',');
        var values = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !(values[i] is >= 0 and <= 1))
            {
                values = [];
                break;
            }
        }

        if (values.Length != 4 || values[2] <= 0 || values[3] <= 0)
        {
            throw new UsageException($"{Plugin}: -roi '{text}' is not x,y,w,h with fractions from 0 to 1 (w and h above 0)");
        }

        return string.Join(',', values.Select(Num));
    }

    private static string Word(ParsedOptions options, string key, string[] allowed)
    {
        var text = options.Get(key)!;
        return Array.IndexOf(allowed, text) >= 0
            ? text
            : throw new UsageException($"{Plugin}: -{key} '{text}' is not one of {string.Join(", ", allowed)}");
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Num(double value) => Math.Round(value, 3).ToString("0.###", CultureInfo.InvariantCulture);

    private static Mapping Words(params string[] words) => new(words, null);

    private static Mapping Warn(string warning) => new([], warning);

    /// <summary>Which rpicam tool an option is passed to.</summary>
    [Flags]
    internal enum Tool
    {
        Video = 1,
        Still = 2,
        Both = Video | Still,
    }

    /// <summary>One option: how it is written, which tool gets it, its rpicam name (empty: none), and its conversion.</summary>
    /// <param name="Always">Emitted with its default even when not given (the stream's size, rate and quality).</param>
    internal sealed record Row(OptionSpec Spec, string Rpicam, Tool Target, bool Always, string HelpOption, string HelpText, Func<ParsedOptions, Mapping> Convert);

    /// <summary>The rpicam words for one option, or a warning when it has no equivalent.</summary>
    internal readonly record struct Mapping(string[] Words, string? Warning)
    {
        public static Mapping None { get; } = new([], null);
    }
}
