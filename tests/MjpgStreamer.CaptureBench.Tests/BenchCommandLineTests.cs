namespace MjpgStreamer.CaptureBench.Tests;

public sealed class BenchCommandLineTests
{
    private static BenchCommand? Parse(params string[] args) => BenchCommandLine.Parse(args, out _, out _);

    private static string? Error(params string[] args)
    {
        BenchCommandLine.Parse(args, out var error, out _);
        return error;
    }

    [Fact]
    public void Encode_reads_every_option()
    {
        var command = Assert.IsType<EncodeCommand>(Parse("encode", "--size", "640x480", "--quality", "90", "--seconds", "2.5", "--workers", "1,2,4"));

        Assert.Equal((640, 480), (command.Width, command.Height));
        Assert.Equal(90, command.Quality);
        Assert.Equal(2.5, command.Seconds);
        Assert.Equal([1, 2, 4], command.Workers);
    }

    [Fact]
    public void Encode_defaults_are_720p_quality_80_ten_seconds_one_and_two_workers()
    {
        var command = Assert.IsType<EncodeCommand>(Parse("encode"));

        Assert.Equal((1280, 720), (command.Width, command.Height));
        Assert.Equal(80, command.Quality);
        Assert.Equal(10, command.Seconds);
        Assert.Equal([1, 2], command.Workers);
    }

    [Fact]
    public void Capture_reads_every_option_and_builds_the_input_uvc_command_line()
    {
        var command = Assert.IsType<CaptureCommand>(Parse("capture", "--device", "/tmp/x/video0", "--size", "640x480", "--fps", "15",
            "--seconds", "5", "--yuyv", "--clients", "3"));

        Assert.Equal("/tmp/x/video0", command.Device);
        Assert.Equal(15, command.Fps);
        Assert.Equal(5, command.Seconds);
        Assert.True(command.Yuyv);
        Assert.Equal(3, command.Clients);
        Assert.Equal(["-d", "/tmp/x/video0", "-r", "640x480", "-f", "15", "-y"], command.PluginWords);
    }

    [Fact]
    public void Capture_defaults_to_the_fake_cameras_default_device_mjpeg_720p30_twenty_seconds_one_client()
    {
        var command = Assert.IsType<CaptureCommand>(Parse("capture"));

        Assert.Equal("/tmp/fakecam/video0", command.Device);
        Assert.Equal((1280, 720, 30, 20.0, 1), (command.Width, command.Height, command.Fps, command.Seconds, command.Clients));
        Assert.False(command.Yuyv);
        Assert.Equal(["-d", "/tmp/fakecam/video0", "-r", "1280x720", "-f", "30"], command.PluginWords);
    }

    [Theory]
    [InlineData("1281x720")] // 4:2:2 needs an even width
    [InlineData("1280")]
    [InlineData("x720")]
    [InlineData("8x8")]
    [InlineData("1280x-720")]
    [InlineData("16384x720")]
    public void Refuses_sizes_that_cannot_be_a_4_2_2_picture(string size)
    {
        Assert.Equal($"--size: bad value \"{size}\"", Error("encode", "--size", size));
    }

    [Theory]
    [InlineData("--quality", "0")]
    [InlineData("--quality", "101")]
    [InlineData("--seconds", "0")]
    [InlineData("--seconds", "3601")]
    [InlineData("--workers", "")]
    [InlineData("--workers", "1,,2")]
    [InlineData("--workers", "0")]
    [InlineData("--workers", "17")]
    public void Refuses_encode_values_out_of_range(string name, string value)
    {
        Assert.Null(Parse("encode", name, value));
        Assert.Equal($"{name}: bad value \"{value}\"", Error("encode", name, value));
    }

    [Fact]
    public void An_option_of_the_other_command_is_unknown()
    {
        Assert.Equal("unknown option \"--clients\"", Error("encode", "--clients", "2"));
        Assert.Equal("unknown option \"--workers\"", Error("capture", "--workers", "2"));
    }

    [Fact]
    public void A_missing_value_or_command_is_one_clear_line()
    {
        Assert.Equal("--fps: missing value", Error("capture", "--fps"));
        Assert.Equal("missing command: encode, capture, pause or still", Error());
        Assert.Equal("unknown command \"bench\" (encode, capture, pause or still)", Error("bench"));
        Assert.Equal("unexpected argument \"fast\"", Error("capture", "fast"));
    }

    [Fact]
    public void Help_anywhere_asks_for_help()
    {
        var command = BenchCommandLine.Parse(["capture", "--fps", "30", "--help"], out var error, out var help);

        Assert.Null(command);
        Assert.Null(error);
        Assert.True(help);
    }

    [Fact]
    public void The_printed_command_line_can_be_pasted_back_into_a_shell()
    {
        Assert.Equal("capture --device '/tmp/my cam' --size 640x480 ''", CaptureBenchProgram.CommandLineText(["capture", "--device", "/tmp/my cam", "--size", "640x480", ""]));
        Assert.Equal("encode --workers 1,2 'it'\\''s'", CaptureBenchProgram.CommandLineText(["encode", "--workers", "1,2", "it's"]));
    }
}
