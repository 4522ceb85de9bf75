namespace MjpgStreamer.LoadClient.Tests;

public sealed class ProcessStatsTests
{
    [Fact]
    public void Cpu_ticks_are_utime_plus_stime_even_when_the_name_holds_spaces_and_parentheses()
    {
        const string stat = "4242 (mjpg (x) streamer) S 1 4242 4242 0 -1 4194560 1234 0 0 0 150 75 0 0 20 0 9 0 12345 "
            + "123456789 5000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 17 1 0 0 0 0 0";

        Assert.Equal(225, ProcessStats.ParseCpuTicks(stat));
    }

    [Fact]
    public void Rss_is_read_from_the_vmrss_line()
    {
        const string status = "Name:\tmjpg_streamer\nVmPeak:\t  300000 kB\nVmRSS:\t   23456 kB\nRssAnon:\t 10000 kB\n";

        Assert.Equal(23456, ProcessStats.ParseVmRssKiB(status));
    }

    [Fact]
    public void Garbage_gives_no_figure()
    {
        Assert.Null(ProcessStats.ParseCpuTicks("no parenthesis here"));
        Assert.Null(ProcessStats.ParseCpuTicks("1 (x) S 1"));
        Assert.Null(ProcessStats.ParseVmRssKiB("Name:\tkthreadd\n"));
    }

    [Fact]
    public void Reads_this_process_from_proc()
    {
        var pid = Environment.ProcessId;

        Assert.True(ProcessStats.ReadCpuTicks(pid) > 0);
        Assert.True(ProcessStats.ReadRssKiB(pid) > 1024);
    }

    [Fact]
    public void A_process_that_does_not_exist_has_no_figures()
    {
        Assert.Null(ProcessStats.ReadCpuTicks(int.MaxValue));
        Assert.Null(ProcessStats.ReadRssKiB(int.MaxValue));
    }
}
