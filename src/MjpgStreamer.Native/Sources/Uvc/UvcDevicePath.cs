using MjpgStreamer.Native.Jpeg;
using MjpgStreamer.Native.V4l2;

namespace MjpgStreamer.Native.Sources.Uvc;

/// <summary>
/// How input_uvc finds and opens its camera, and how a device error reads in the no_signal reason;
/// shared by the stream session and the still, which each open the device themselves.
/// </summary>
internal static class UvcDevicePath
{
    private const int NoSuchFile = 2; // ENOENT

    /// <summary>Opens the camera named by -d, following a by-id link again; a missing one is no_signal, not an error.</summary>
    public static V4l2Device Open(string device)
    {
        var path = Resolve(device);
        try
        {
            return V4l2Device.Open(path);
        }
        catch (V4l2Exception ex) when (ex.Errno == NoSuchFile)
        {
            throw new CameraUnavailableException($"no camera at {device}");
        }
    }

    private static string Resolve(string device)
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

    public static uint FourCcOf(RawPixelLayout? raw) => raw switch
    {
        null => FourCc.Mjpeg,
        RawPixelLayout.Yuyv => FourCc.Yuyv,
        RawPixelLayout.Uyvy => FourCc.Uyvy,
        RawPixelLayout.Rgb24 => FourCc.Rgb24,
        RawPixelLayout.Rgb565 => FourCc.Rgb565,
        _ => throw new ArgumentOutOfRangeException(nameof(raw)),
    };

    /// <summary>The no_signal reason for a device error, in words a user acts on.</summary>
    public static string Describe(V4l2Exception ex, string device)
    {
        ArgumentNullException.ThrowIfNull(ex);
        if (ex.IsDeviceGone)
        {
            return $"camera unplugged ({device})";
        }

        if (ex.IsBusy)
        {
            return $"camera busy ({device}): another program is using it";
        }

        return ex.Message;
    }
}
