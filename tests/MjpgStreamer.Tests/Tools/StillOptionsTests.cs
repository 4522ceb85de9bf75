using MjpgStreamer.Core.Options;
using MjpgStreamer.Tools;

namespace MjpgStreamer.Tests.Tools;

/// <summary>The still verbs' options, Octolapse's arguments, the --command words and the still address.</summary>
public sealed class StillOptionsTests
{
    [Fact]
    public void Without_options_the_pause_verbs_defaults_apply()
    {
        var options = StillOptions.Parse(["out.jpg"], optionsFirst: false);

        Assert.Equal(new Uri("http://127.0.0.1:8080/"), options.BaseUrl);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Timeout);
        Assert.Null(options.Input);
        Assert.Null(options.Command);
        Assert.Equal("/run/mjpg_streamer_paused.lock", options.PauseFile);
        Assert.Equal(["out.jpg"], options.Positionals);
    }

    [Fact]
    public void Options_may_come_before_or_after_the_output_and_double_dash_ends_them()
    {
        var options = StillOptions.Parse(["--timeout=2", "out.jpg", "--command", "cam -o {}", "--pause-file", "/tmp/p", "--", "--odd.jpg"], optionsFirst: false);

        Assert.Equal(TimeSpan.FromSeconds(2), options.Timeout);
        Assert.Equal("cam -o {}", options.Command);
        Assert.Equal("/tmp/p", options.PauseFile);
        Assert.Equal(["out.jpg", "--odd.jpg"], options.Positionals);
    }

    [Fact]
    public void For_octolapse_the_first_word_that_is_no_option_ends_the_options()
    {
        var options = StillOptions.Parse(["--input", "1", "7", "0.2", "/data", "/snaps", "a.jpg", "/snaps/a.jpg", "--camera--"], optionsFirst: true);

        Assert.Equal(1, options.Input);
        Assert.Equal(["7", "0.2", "/data", "/snaps", "a.jpg", "/snaps/a.jpg", "--camera--"], options.Positionals);
    }

    [Theory]
    [InlineData(6, null)]
    [InlineData(7, "Pi cam")]
    public void Octolapse_arguments_give_the_snapshot_folder_and_path(int count, string? camera)
    {
        string[] words = ["1", "0.125", "/data", "/snaps", "a.jpg", "/snaps/a.jpg", "Pi cam"];

        var octolapse = OctolapseArguments.Parse(words[..count]);

        Assert.Equal(new OctolapseArguments("/snaps", "/snaps/a.jpg", camera), octolapse);
    }

    [Fact]
    public void An_empty_snapshot_path_is_a_usage_error()
    {
        var error = Assert.Throws<UsageException>(() => OctolapseArguments.Parse(["1", "0", "/d", "/s", "a.jpg", ""]));
        Assert.Equal("$6 (snapshot full path) is empty", error.Message);
    }

    [Fact]
    public void The_command_is_split_like_plugin_arguments_and_every_placeholder_replaced()
    {
        var words = StillCommand.SplitCommand("rpicam-still  -o {}  --immediate --post-process-file \"/etc/my file.json\" --x={}.part");

        var (argv, toFile) = StillCommand.Expand(words, "/tmp/.a.jpg.tmp-1.jpg");

        Assert.True(toFile);
        Assert.Equal(["rpicam-still", "-o", "/tmp/.a.jpg.tmp-1.jpg", "--immediate", "--post-process-file", "/etc/my file.json", "--x=/tmp/.a.jpg.tmp-1.jpg.part"], argv);
    }

    [Fact]
    public void A_command_without_placeholder_writes_to_stdout()
    {
        var (argv, toFile) = StillCommand.Expand(StillCommand.SplitCommand("fswebcam -"), "/tmp/x.jpg");

        Assert.False(toFile);
        Assert.Equal(["fswebcam", "-"], argv);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/", null, "http://127.0.0.1:8080/?action=still")]
    [InlineData("http://host/webcam", 2, "http://host/webcam/?action=still_2")]
    [InlineData("http://u:p@host/webcam/?action=stream#x", 0, "http://host/webcam/?action=still_0")]
    public void The_still_is_asked_below_the_base_address_without_credentials(string baseUrl, int? input, string expected)
    {
        Assert.Equal(expected, StillClient.ResolveStillUrl(new Uri(baseUrl), input).AbsoluteUri);
    }
}
