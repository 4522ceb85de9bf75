using System.Globalization;

namespace MjpgStreamer.CaptureBench;

/// <summary>`still`: the real server on the fake camera, a stream client attached, ?action=still asked for repeatedly.</summary>
internal sealed record StillCommand : BenchCommand
{
    public const int DefaultStills = 50;
    public const int DefaultIntervalMs = 500;

    public string Exe { get; init; } = "";

    public int Stills { get; init; } = DefaultStills;

    public int Fps { get; init; } = 30;

    /// <summary>Time between the end of one still and the next request.</summary>
    public int IntervalMs { get; init; } = DefaultIntervalMs;

    /// <summary>The server's command line; -still_interval 0, so a still's latency is its own, not the wait for the default second of live frames.</summary>
    public IReadOnlyList<string> ServerArgs(string device) =>
    [
        "--pause-file", "none",
        "-i", string.Create(CultureInfo.InvariantCulture, $"input_uvc.so -d {device} -r {Width}x{Height} -f {Fps} -still_interval 0"),
        "-o", "output_http.so -p 0 -l 127.0.0.1",
    ];
}
