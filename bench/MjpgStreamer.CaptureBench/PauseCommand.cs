using System.Globalization;

namespace MjpgStreamer.CaptureBench;

/// <summary>`pause`: the real server executable on the fake camera, its lock file created and removed in cycles.</summary>
internal sealed record PauseCommand : BenchCommand
{
    public const int DefaultCycles = 1000;
    public const int DefaultSettleMs = 100;

    /// <summary>Cycles run (and not measured) before the "before" figures are taken.</summary>
    public const int WarmupCycles = 10;

    /// <summary>The mjpg_streamer executable.</summary>
    public string Exe { get; init; } = "";

    public int Cycles { get; init; } = DefaultCycles;

    public int Fps { get; init; } = 30;

    /// <summary>Wait after the device is released, and again after the first live frame.</summary>
    public int SettleMs { get; init; } = DefaultSettleMs;

    /// <summary>The server's command line for this run.</summary>
    public IReadOnlyList<string> ServerArgs(string device, string lockFile) =>
    [
        "--pause-file", lockFile,
        "-i", string.Create(CultureInfo.InvariantCulture, $"input_uvc.so -d {device} -r {Width}x{Height} -f {Fps}"),
        "-o", "output_http.so -p 0 -l 127.0.0.1",
    ];
}
