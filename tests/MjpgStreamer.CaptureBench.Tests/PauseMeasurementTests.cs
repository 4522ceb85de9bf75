using System.Diagnostics;

namespace MjpgStreamer.CaptureBench.Tests;

public sealed class PauseMeasurementTests
{
    private static readonly long Ms = Stopwatch.Frequency / 1000;

    // Cycle i (0-based) starts at 1000 ms * i: lock at +0, device closed at +10, lock removed at +110, first live frame at +150.
    private static PauseCycle CycleAt(int i, long releaseMs = 10, long firstLiveMs = 40)
    {
        var start = 1000 * (i + 1) * Ms;
        return new PauseCycle(start, start + (releaseMs * Ms), start + 110 * Ms, start + ((110 + firstLiveMs) * Ms));
    }

    private static StreamPart Part(long atMs, long frame, long timestampUs = -1, int length = 1000) =>
        new(atMs * Ms, frame, timestampUs < 0 ? frame * 33_333 : timestampUs, length);

    [Fact]
    public void A_cycles_latencies_are_from_the_lock_file_change_to_the_event()
    {
        var cycle = CycleAt(0, releaseMs: 12, firstLiveMs: 45);

        Assert.Equal(12, cycle.ReleaseMs, 6);
        Assert.Equal(45, cycle.FirstLiveMs, 6);
    }

    [Fact]
    public void Latency_cells_are_p50_p90_p99_and_max_of_what_was_measured()
    {
        var samples = Enumerable.Range(1, 200).Select(i => i / 2.0).ToArray();

        Assert.Equal(["50.00", "90.00", "99.00", "100.00"], PauseReport.LatencyCells(samples));
        Assert.Equal(["n/a", "n/a", "n/a", "n/a"], PauseReport.LatencyCells([]));
    }

    [Fact]
    public void A_figure_row_shows_the_change_with_its_sign()
    {
        Assert.Equal(["fds", "14", "14", "+0"], PauseReport.FigureRow("fds", 14, 14));
        Assert.Equal(["VmRSS KiB", "22664", "24504", "+1840"], PauseReport.FigureRow("VmRSS KiB", 22664, 24504));
        Assert.Equal(["threads", "15", "14", "-1"], PauseReport.FigureRow("threads", 15, 14));
    }

    [Fact]
    public void The_stream_check_counts_new_frames_and_one_repeat_per_pause_and_nothing_odd_in_a_clean_run()
    {
        PauseCycle[] cycles = [CycleAt(0), CycleAt(1)];
        StreamPart[] parts =
        [
            Part(900, 1), // before the measured cycles: only sets the newest frame seen
            Part(1005, 2), Part(1012, 2), Part(1140, 6), Part(1173, 7), // live, repeat when paused, live again
            Part(2005, 8), Part(2011, 8), Part(2150, 12),
        ];

        var check = StreamCheck.Of(parts, cycles);

        Assert.Equal(new StreamCheck(Parts: 7, NewFrames: 5, Repeats: 2, CyclesWithoutRepeat: 0, ChangedRepeats: 0, Backwards: 0, NewAfterRelease: 0, WithoutComment: 0), check);
    }

    [Fact]
    public void The_stream_check_reports_what_should_not_happen()
    {
        PauseCycle[] cycles = [CycleAt(0), CycleAt(1), CycleAt(2)];
        StreamPart[] parts =
        [
            Part(1005, 2),
            Part(1012, 2, timestampUs: 1), // a repeat with another X-Timestamp
            Part(1050, 3), // a new frame while the device is closed
            Part(1140, 6),
            Part(1141, 5), // backwards
            Part(1142, -1), // no comment
            Part(2140, 9), // cycle 2 has no repeat; cycle 3 has no part at all
        ];

        var check = StreamCheck.Of(parts, cycles);

        Assert.Equal(new StreamCheck(Parts: 7, NewFrames: 4, Repeats: 1, CyclesWithoutRepeat: 2, ChangedRepeats: 1, Backwards: 1, NewAfterRelease: 1, WithoutComment: 1) { NewAfterReleaseMaxMs = 40 }, check);
    }

    [Fact]
    public void The_report_names_both_latencies_the_servers_figures_and_the_stream_check()
    {
        var cycles = Enumerable.Range(0, 10).Select(i => CycleAt(i, releaseMs: i + 1, firstLiveMs: 40)).ToArray();
        var result = new PauseResult(cycles, TimeSpan.FromSeconds(3), new ProcessFigures(14, 14, 22000), new ProcessFigures(15, 14, 22100),
            new StreamCheck(30, 20, 10, 0, 0, 0, 0, 0), "640x480", 1, 0, "12:00:00.000 warn: something");

        var text = PauseReport.Format(new PauseCommand { Exe = "x", Cycles = 10 }, result);
        var lines = text.Split('\n');

        Assert.Matches(@"^release: lock created -> device closed +5\.00 +9\.00 +10\.00 +10\.00$", lines.Single(l => l.StartsWith(PauseReport.ReleaseRow, StringComparison.Ordinal)));
        Assert.Matches(@"^first live frame: lock removed -> new frame +40\.00 +40\.00 +40\.00 +40\.00$", lines.Single(l => l.StartsWith(PauseReport.FirstLiveRow, StringComparison.Ordinal)));
        Assert.Matches(@"^fds \(no sockets\) +14 +15 +\+1$", lines.Single(l => l.StartsWith("fds", StringComparison.Ordinal)));
        Assert.Contains("first server warning or error: 12:00:00.000 warn: something", lines);
        Assert.Contains(lines, l => l.StartsWith("last frame repeated", StringComparison.Ordinal) && l.EndsWith("10 (cycles without a repeat: 0)", StringComparison.Ordinal));
    }

    [Fact]
    public void Progress_names_the_cycles_done_and_the_medians_so_far()
    {
        var cycles = Enumerable.Range(0, 3).Select(i => CycleAt(i, releaseMs: 5, firstLiveMs: 44)).ToArray();

        Assert.Equal("pause: 3/10 cycles in 2 s; release p50 5.00 ms max 5.00 ms; first live frame p50 44.00 ms max 44.00 ms",
            PauseReport.ProgressLine(3, 10, cycles, TimeSpan.FromSeconds(2.2)));
    }
}
