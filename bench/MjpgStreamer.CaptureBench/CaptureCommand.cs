namespace MjpgStreamer.CaptureBench;

/// <summary>`capture`: a real input_uvc.so source on a (fake) V4L2 device, read by stream-like subscribers.</summary>
internal sealed record CaptureCommand : BenchCommand
{
    public const double DefaultSeconds = 20;
    public const string DefaultDevice = "/tmp/fakecam/video0";

    public string Device { get; init; } = DefaultDevice;

    public int Fps { get; init; } = 30;

    /// <summary>Capture YUYV and encode it (input_uvc.so -y) instead of passing MJPEG through.</summary>
    public bool Yuyv { get; init; }

    public int Clients { get; init; } = 1;

    /// <summary>The words input_uvc.so would get on the server's command line for this run.</summary>
    public IReadOnlyList<string> PluginWords =>
        Yuyv
            ? ["-d", Device, "-r", $"{Width}x{Height}", "-f", Fps.ToString(System.Globalization.CultureInfo.InvariantCulture), "-y"]
            : ["-d", Device, "-r", $"{Width}x{Height}", "-f", Fps.ToString(System.Globalization.CultureInfo.InvariantCulture)];
}
