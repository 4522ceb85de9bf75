namespace MjpgStreamer.CaptureBench.Tests;

public sealed class PauseCommandLineTests
{
    private static string? Error(params string[] args)
    {
        BenchCommandLine.Parse(args, out var error, out _);
        return error;
    }

    [Fact]
    public void Pause_reads_every_option()
    {
        var command = Assert.IsType<PauseCommand>(BenchCommandLine.Parse(
            ["pause", "--exe", "out/release/mjpg_streamer", "--cycles", "10000", "--size", "1280x720", "--fps", "15", "--settle-ms", "20"], out _, out _));

        Assert.Equal("out/release/mjpg_streamer", command.Exe);
        Assert.Equal(10000, command.Cycles);
        Assert.Equal((1280, 720), (command.Width, command.Height));
        Assert.Equal(15, command.Fps);
        Assert.Equal(20, command.SettleMs);
    }

    [Fact]
    public void Pause_defaults_are_1000_cycles_of_640x480_at_30_fps_with_100_ms_settle()
    {
        var command = Assert.IsType<PauseCommand>(BenchCommandLine.Parse(["pause", "--exe", "x"], out _, out _));

        Assert.Equal((1000, 640, 480, 30, 100), (command.Cycles, command.Width, command.Height, command.Fps, command.SettleMs));
    }

    [Fact]
    public void Pause_builds_the_servers_command_line_with_its_own_lock_file_and_a_free_loopback_port()
    {
        var command = new PauseCommand { Exe = "x", Width = 640, Height = 480, Fps = 15 };

        Assert.Equal(
            ["--pause-file", "/tmp/b/paused.lock", "-i", "input_uvc.so -d /tmp/b/video0 -r 640x480 -f 15", "-o", "output_http.so -p 0 -l 127.0.0.1"],
            command.ServerArgs("/tmp/b/video0", "/tmp/b/paused.lock"));
    }

    [Fact]
    public void Pause_without_an_executable_says_so()
    {
        Assert.Equal("pause: missing --exe PATH (the mjpg_streamer executable)", Error("pause", "--cycles", "5"));
        Assert.Equal("--exe: bad value \"\"", Error("pause", "--exe", ""));
    }

    [Theory]
    [InlineData("--cycles", "0")]
    [InlineData("--cycles", "1000001")]
    [InlineData("--cycles", "1e3")]
    [InlineData("--settle-ms", "-1")]
    [InlineData("--settle-ms", "60001")]
    [InlineData("--fps", "0")]
    [InlineData("--size", "640")]
    public void Pause_refuses_values_out_of_range(string name, string value)
    {
        Assert.Equal($"{name}: bad value \"{value}\"", Error("pause", "--exe", "x", name, value));
    }

    [Fact]
    public void Options_of_the_other_commands_are_unknown_to_pause()
    {
        Assert.Equal("unknown option \"--seconds\"", Error("pause", "--exe", "x", "--seconds", "5"));
        Assert.Equal("unknown option \"--settle-ms\"", Error("capture", "--settle-ms", "5"));
    }
}
