using System.Globalization;

namespace MjpgStreamer.Core.Options;

/// <summary>mjpg-streamer's resolution names (QVGA, VGA, HD, FHD, …: the README lists them) and WxH.</summary>
public static class Resolution
{
    private static readonly Dictionary<string, (int, int)> Names = new(StringComparer.Ordinal)
    {
        ["QQVGA"] = (160, 120),
        ["QCIF"] = (176, 144),
        ["CGA"] = (320, 200),
        ["QVGA"] = (320, 240),
        ["CIF"] = (352, 288),
        ["PAL"] = (720, 576),
        ["VGA"] = (640, 480),
        ["SVGA"] = (800, 600),
        ["XGA"] = (1024, 768),
        ["HD"] = (1280, 720),
        ["SXGA"] = (1280, 1024),
        ["UXGA"] = (1600, 1200),
        ["FHD"] = (1920, 1280), // sic: the original's value, kept for compatibility
    };

    public static (int Width, int Height) Parse(string text, string what)
    {
        if (Names.TryGetValue(text, out var named))
        {
            return named;
        }

        var x = text.IndexOf('x', StringComparison.Ordinal);
        if (x > 0
            && int.TryParse(text.AsSpan(0, x), NumberStyles.None, CultureInfo.InvariantCulture, out var width)
            && int.TryParse(text.AsSpan(x + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var height)
            && width is > 0 and <= 16384 && height is > 0 and <= 16384)
        {
            return (width, height);
        }

        throw new UsageException($"{what} '{text}' is not a resolution (WxH such as 640x480, or a name such as VGA or HD)");
    }
}
