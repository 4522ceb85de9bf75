using System.Globalization;
using MjpgStreamer.Core.Options;

namespace MjpgStreamer.Native.Sources.Uvc;

/// <summary>
/// One control write asked for on the command line (-br 10 → brightness = 10). <see cref="Fallback"/> is a
/// value to try when the first is refused: "-ex auto" asks for full auto exposure, which most UVC webcams
/// do not offer; their "auto" is aperture priority.
/// </summary>
internal sealed record CameraSetting(string Option, uint Id, int Value, int? Fallback = null)
{
    /// <summary>
    /// The controls the camera-setting options stand for, in the order they are applied (a mode switch
    /// before the value it unlocks). The original's -pl, -cagc and -cb wrote the wrong controls; these are
    /// their intended meanings: power-line filter, chroma AGC / chroma gain, hue auto / hue.
    /// </summary>
    public static List<CameraSetting> FromOptions(ParsedOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = new List<CameraSetting>();
        AutoOrValue(options, settings, "br", ControlIds.AutoBrightness, ControlIds.Brightness);
        Plain(options, settings, "co", ControlIds.Contrast);
        Plain(options, settings, "sh", ControlIds.Sharpness);
        Plain(options, settings, "sa", ControlIds.Saturation);
        Plain(options, settings, "bk", ControlIds.BacklightCompensation);
        Plain(options, settings, "rot", ControlIds.Rotate);
        AutoOrValue(options, settings, "wb", ControlIds.AutoWhiteBalance, ControlIds.WhiteBalanceTemperature);
        Exposure(options, settings);
        Flag(options, settings, "hf", ControlIds.HorizontalFlip);
        Flag(options, settings, "vf", ControlIds.VerticalFlip);
        PowerLine(options, settings);
        AutoOrValue(options, settings, "gain", ControlIds.AutoGain, ControlIds.Gain);
        AutoOrValue(options, settings, "cagc", ControlIds.ChromaAgc, ControlIds.ChromaGain);
        AutoOrValue(options, settings, "cb", ControlIds.HueAuto, ControlIds.Hue);
        return settings;
    }

    private static void Plain(ParsedOptions options, List<CameraSetting> settings, string key, uint id)
    {
        if (options.Get(key) is { } text)
        {
            settings.Add(new CameraSetting(key, id, ParseInt(options, key, text)));
        }
    }

    private static void AutoOrValue(ParsedOptions options, List<CameraSetting> settings, string key, uint autoId, uint valueId)
    {
        if (options.Get(key) is not { } text)
        {
            return;
        }

        if (text.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            settings.Add(new CameraSetting(key, autoId, 1));
            return;
        }

        var value = ParseInt(options, key, text, "'auto' or a whole number");
        settings.Add(new CameraSetting(key, autoId, 0));
        settings.Add(new CameraSetting(key, valueId, value));
    }

    private static void Exposure(ParsedOptions options, List<CameraSetting> settings)
    {
        if (options.Get("ex") is not { } text)
        {
            return;
        }

        switch (text.ToLowerInvariant())
        {
            case "auto":
                settings.Add(new CameraSetting("ex", ControlIds.ExposureAuto, ControlIds.ExposureModeAuto, ControlIds.ExposureModeAperturePriority));
                return;
            case "shutter-priority":
                settings.Add(new CameraSetting("ex", ControlIds.ExposureAuto, ControlIds.ExposureModeShutterPriority));
                return;
            case "aperature-priority" or "aperture-priority":
                settings.Add(new CameraSetting("ex", ControlIds.ExposureAuto, ControlIds.ExposureModeAperturePriority));
                return;
        }

        var value = ParseInt(options, "ex", text, "auto, shutter-priority, aperture-priority or a whole number");
        settings.Add(new CameraSetting("ex", ControlIds.ExposureAuto, ControlIds.ExposureModeManual));
        settings.Add(new CameraSetting("ex", ControlIds.ExposureAbsolute, value));
    }

    private static void Flag(ParsedOptions options, List<CameraSetting> settings, string key, uint id)
    {
        if (options.Get(key) is not { } text)
        {
            return;
        }

        var value = text.ToLowerInvariant() switch
        {
            "true" => 1,
            "false" => 0,
            _ => throw new UsageException($"{options.Plugin}: -{key} '{text}' is not true or false"),
        };
        settings.Add(new CameraSetting(key, id, value));
    }

    private static void PowerLine(ParsedOptions options, List<CameraSetting> settings)
    {
        if (options.Get("pl") is not { } text)
        {
            return;
        }

        var value = text.ToLowerInvariant() switch
        {
            "disabled" => 0,
            "50hz" => 1,
            "60hz" => 2,
            "auto" => 3,
            _ => throw new UsageException($"{options.Plugin}: -pl '{text}' is not disabled, 50hz, 60hz or auto"),
        };
        settings.Add(new CameraSetting("pl", ControlIds.PowerLineFrequency, value));
    }

    private static int ParseInt(ParsedOptions options, string key, string text, string expected = "a whole number")
    {
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw new UsageException($"{options.Plugin}: -{key} '{text}' is not {expected}");
        }

        return value;
    }
}
