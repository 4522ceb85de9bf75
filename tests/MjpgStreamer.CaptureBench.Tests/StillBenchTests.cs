using System.Diagnostics;

namespace MjpgStreamer.CaptureBench.Tests;

public sealed class StillBenchTests
{
    private static StreamPart Part(double ms, long frame) =>
        new((long)(ms / 1000 * Stopwatch.Frequency), frame, 0, 1000);

    [Fact]
    public void Around_TakesTheLongestGapBetweenNewFrames_AndCountsTheSkippedNumbers()
    {
        // Frames 10, 11, then a keep-alive repeat of 11, then 16 after the still, then 17.
        StreamPart[] parts = [Part(0, 10), Part(33, 11), Part(100, 11), Part(233, 16), Part(266, 17)];

        var (gap, missed) = StillBench.Around(parts);

        Assert.Equal(200, gap, precision: 3);
        Assert.Equal(4, missed);
    }

    [Fact]
    public void Around_IgnoresPartsWithoutAFrameNumber()
    {
        StreamPart[] parts = [Part(0, -1), Part(10, 5), Part(43, 6)];

        Assert.Equal((33, 0), StillBench.Around(parts) is var (g, m) ? (Math.Round(g), m) : default);
    }

    [Fact]
    public void StillCommandLine_HasDefaults_AndNeedsTheExecutable()
    {
        var command = Assert.IsType<StillCommand>(BenchCommandLine.Parse(["still", "--exe", "/bin/x"], out var error, out _));
        Assert.Null(error);
        Assert.Equal((640, 480, 50, 500), (command.Width, command.Height, command.Stills, command.IntervalMs));

        Assert.Null(BenchCommandLine.Parse(["still"], out error, out _));
        Assert.Contains("--exe", error, StringComparison.Ordinal);
        Assert.Null(BenchCommandLine.Parse(["still", "--exe", "/bin/x", "--stills", "0"], out error, out _));
    }
}
