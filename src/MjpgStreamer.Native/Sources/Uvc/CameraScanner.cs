using System.Globalization;
using MjpgStreamer.Native.V4l2;

namespace MjpgStreamer.Native.Sources.Uvc;

/// <summary>
/// Finds the camera the embedded default streams: the first V4L2 node that captures video and offers
/// MJPEG (else the first that offers YUYV). UVC metadata nodes have no video capture capability and are
/// skipped by that; the Raspberry Pi's codec and ISP nodes are memory-to-memory devices or are skipped by
/// driver name. With MJPG_STREAMER_V4L2_LIB set, the fake camera's FAKECAM_DEVICES are scanned too.
/// </summary>
public static class CameraScanner
{
    private static readonly string[] SkippedDrivers = ["bcm2835-codec", "bcm2835-isp", "rpivid", "rpi-hevc-dec", "pispbe", "rp1-cfe", "unicam"];

    /// <summary>A camera found: its node and whether it streams MJPEG (else YUYV, to be encoded).</summary>
    public sealed record Found(string Path, string Card, bool Mjpeg);

    /// <summary>The first usable camera, or null when there is none (the caller falls back to the test pattern).</summary>
    public static Found? FindDefault()
    {
        try
        {
            V4l2Library.EnsureLoaded();
        }
        catch (V4l2Exception)
        {
            return null;
        }

        Found? firstYuyv = null;
        foreach (var path in Candidates())
        {
            var found = Probe(path);
            if (found is { Mjpeg: true })
            {
                return found;
            }

            firstYuyv ??= found;
        }

        return firstYuyv;
    }

    /// <summary>/dev/video0, /dev/video1, … in number order, then the fake camera's devices when it is loaded.</summary>
    public static List<string> Candidates()
    {
        var nodes = new List<(int Number, string Path)>();
        try
        {
            foreach (var path in Directory.EnumerateFiles("/dev", "video*"))
            {
                if (int.TryParse(Path.GetFileName(path).AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                {
                    nodes.Add((number, path));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        var candidates = nodes.OrderBy(n => n.Number).Select(n => n.Path).ToList();
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(V4l2Library.PathVariable)))
        {
            var fakes = Environment.GetEnvironmentVariable("FAKECAM_DEVICES");
            candidates.AddRange((string.IsNullOrEmpty(fakes) ? "/tmp/fakecam/video0" : fakes).Split(':', StringSplitOptions.RemoveEmptyEntries));
        }

        return candidates;
    }

    private static Found? Probe(string path)
    {
        try
        {
            using var device = V4l2Device.Open(path);
            var capability = device.QueryCapability();
            if (!capability.CanCaptureVideo || !capability.CanStream || SkippedDrivers.Contains(capability.Driver, StringComparer.OrdinalIgnoreCase))
            {
                return null;
            }

            bool mjpeg = false, yuyv = false;
            foreach (var format in device.EnumerateFormats())
            {
                mjpeg |= format.PixelFormat == FourCc.Mjpeg;
                yuyv |= format.PixelFormat == FourCc.Yuyv;
            }

            return mjpeg || yuyv ? new Found(path, capability.Card, mjpeg) : null;
        }
        catch (V4l2Exception)
        {
            return null;
        }
    }
}
