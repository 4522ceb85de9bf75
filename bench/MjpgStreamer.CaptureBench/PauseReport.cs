using System.Globalization;
using System.Text;
using static MjpgStreamer.CaptureBench.Cells;

namespace MjpgStreamer.CaptureBench;

/// <summary>The `pause` run's tables: latencies as order statistics, the server's figures before and after, the stream check.</summary>
internal static class PauseReport
{
    public const string ReleaseRow = "release: lock created -> device closed";
    public const string FirstLiveRow = "first live frame: lock removed -> new frame";

    public static string Format(PauseCommand command, PauseResult result)
    {
        var text = new StringBuilder();
        var latencies = new TextTable("latency ms", "p50", "p90", "p99", "max");
        latencies.Add([ReleaseRow, .. LatencyCells(result.Cycles.Select(c => c.ReleaseMs).ToArray())]);
        latencies.Add([FirstLiveRow, .. LatencyCells(result.Cycles.Select(c => c.FirstLiveMs).ToArray())]);
        text.Append(latencies).Append('\n');

        var server = new TextTable("server", $"after {PauseCommand.WarmupCycles} warm-up", $"after {result.Cycles.Count} cycles", "change");
        server.Add(FigureRow("fds (no sockets)", result.Before.Descriptors, result.After.Descriptors));
        server.Add(FigureRow("threads", result.Before.Threads, result.After.Threads));
        server.Add(FigureRow("VmRSS KiB", result.Before.RssKiB, result.After.RssKiB));
        text.Append(server).Append('\n');

        var stream = result.Stream;
        var client = new TextTable("stream client over the measured cycles", "value");
        client.Add("parts received", I(stream.Parts));
        client.Add("new camera frames", I(stream.NewFrames));
        client.Add("last frame repeated", $"{I(stream.Repeats)} (cycles without a repeat: {I(stream.CyclesWithoutRepeat)})");
        client.Add("repeats with other length or X-Timestamp", I(stream.ChangedRepeats));
        client.Add("frame number went backwards", I(stream.Backwards));
        client.Add("new frame after the device was closed", stream.NewAfterRelease == 0 ? "0" : $"{I(stream.NewAfterRelease)} (the latest {F(stream.NewAfterReleaseMaxMs, 2)} ms after)");
        client.Add("parts without the fake's comment", I(stream.WithoutComment));
        client.Add("picture (fake's comment)", result.PictureSize);
        client.Add("server log warnings / errors", $"{I(result.ServerWarnings)} / {I(result.ServerErrors)}");
        client.Add("still connected at the end", "yes");
        text.Append(client);
        if (result.FirstProblem is not null)
        {
            text.Append("first server warning or error: ").Append(result.FirstProblem).Append('\n');
        }

        text.Append(string.Create(CultureInfo.InvariantCulture,
            $"({result.Cycles.Count} cycles in {result.Wall.TotalSeconds:F1} s; settle {command.SettleMs} ms; the server watches the lock file with inotify, this tool looks at /proc/PID/fd about every 0.2 ms)\n"));
        return text.ToString();
    }

    /// <summary>p50, p90, p99 (nearest rank) and max, in ms with two decimals; "n/a" for no samples.</summary>
    public static string[] LatencyCells(ReadOnlySpan<double> samples) =>
        samples.IsEmpty
            ? ["n/a", "n/a", "n/a", "n/a"]
            : [F(Samples.Percentile(samples, 50), 2), F(Samples.Percentile(samples, 90), 2), F(Samples.Percentile(samples, 99), 2), F(Samples.Percentile(samples, 100), 2)];

    /// <summary>A figure before and after, and the change with its sign ("+0" when nothing changed).</summary>
    public static string[] FigureRow(string name, long before, long after) =>
        [name, I(before), I(after), (after - before).ToString("+0;-0;+0", CultureInfo.InvariantCulture)];

    /// <summary>The progress line written to stderr every 1000 cycles.</summary>
    public static string ProgressLine(int done, int total, IReadOnlyList<PauseCycle> cycles, TimeSpan elapsed)
    {
        var release = cycles.Select(c => c.ReleaseMs).ToArray();
        var live = cycles.Select(c => c.FirstLiveMs).ToArray();
        return string.Create(CultureInfo.InvariantCulture,
            $"pause: {done}/{total} cycles in {elapsed.TotalSeconds:F0} s; release p50 {LatencyCells(release)[0]} ms max {LatencyCells(release)[3]} ms; first live frame p50 {LatencyCells(live)[0]} ms max {LatencyCells(live)[3]} ms");
    }
}
