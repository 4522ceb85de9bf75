namespace MjpgStreamer.CaptureBench.Tests;

public sealed class PauseServerTests
{
    [Theory]
    [InlineData("14:09:37.277 info: output_http[220] output 0: listening on http://127.0.0.1:39339/", 39339)]
    [InlineData("listening on http://[::1]:8080/", 8080)]
    [InlineData("14:09:37.277 info: output_http[221] output 0: www folder disabled", null)]
    [InlineData("listening on http://127.0.0.1/", null)]
    public void The_port_comes_from_the_listening_line(string line, int? port)
    {
        Assert.Equal(port, ServerUnderTest.ParseListeningPort(line));
    }

    [Theory]
    [InlineData("1712345678.123456", 1712345678123456)]
    [InlineData("0.000001", 1)]
    [InlineData("1712345678.12345", -1)]
    [InlineData("1712345678", -1)]
    [InlineData("-1.000000", -1)]
    public void X_timestamps_are_seconds_and_six_digits_of_microseconds(string text, long expected)
    {
        Assert.Equal(expected, PauseStreamClient.ParseTimestampUs(text));
    }

    [Fact]
    public void Threads_and_resident_memory_come_from_proc_status()
    {
        const string status = "Name:\tmjpg_streamer\nVmPeak:\t  300000 kB\nVmRSS:\t   22664 kB\nRssAnon:\t 9000 kB\nThreads:\t14\nSigQ:\t0/1000\n";

        Assert.Equal((14, 22664L), ProcessFigures.ParseStatus(status));
        Assert.Throws<FormatException>(() => ProcessFigures.ParseStatus("Name:\tx\nThreads:\t1\n"));
    }

    [Fact]
    public void A_process_holds_a_path_while_a_descriptor_points_at_it()
    {
        var folder = Directory.CreateTempSubdirectory("pausebench-test-");
        try
        {
            var path = Path.Combine(folder.FullName, "video0");
            File.WriteAllBytes(path, []);
            var pid = Environment.ProcessId;

            using (File.OpenRead(path))
            {
                Assert.True(ProcessFigures.Holds(pid, path));
            }

            Assert.False(ProcessFigures.Holds(pid, path));
            Assert.True(ProcessFigures.Of(pid).Descriptors > 0);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
