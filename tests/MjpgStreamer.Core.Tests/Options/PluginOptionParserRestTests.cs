using MjpgStreamer.Core.Options;

namespace MjpgStreamer.Core.Tests.Options;

public sealed class PluginOptionParserRestTests
{
    private static readonly OptionSpec[] WithRest = [new("r", true, "r", "resolution"), OptionSpec.RestAfterDoubleDash];
    private static readonly OptionSpec[] WithoutRest = [new("r", true, "r", "resolution")];

    [Fact]
    public void WordsAfterDoubleDash_AreTheRest_Untouched()
    {
        var parsed = PluginOptionParser.Parse("input_exec.so", ["-r", "640x480", "--", "ffmpeg", "-r", "5", "-h", "--", "-"], WithRest, "help");

        Assert.Equal("640x480", parsed.Get("r"));
        Assert.True(parsed.HasRest);
        Assert.Equal(["ffmpeg", "-r", "5", "-h", "--", "-"], parsed.Rest);
        Assert.Single(parsed.Items);
    }

    [Fact]
    public void DoubleDashFirst_LeavesNoOptions()
    {
        var parsed = PluginOptionParser.Parse("input_exec.so", ["--", "cat", "/tmp/x.mjpg"], WithRest, "help");

        Assert.Empty(parsed.Items);
        Assert.Equal(["cat", "/tmp/x.mjpg"], parsed.Rest);
    }

    [Fact]
    public void NoDoubleDash_NoRest()
    {
        var parsed = PluginOptionParser.Parse("input_exec.so", ["--resolution=VGA"], WithRest, "help");

        Assert.False(parsed.HasRest);
        Assert.Empty(parsed.Rest);
        Assert.Equal((640, 480), parsed.GetResolution("r"));
    }

    [Fact]
    public void DoubleDashAtTheEnd_IsAnEmptyRest()
    {
        var parsed = PluginOptionParser.Parse("input_exec.so", ["-r", "VGA", "--"], WithRest, "help");

        Assert.True(parsed.HasRest);
        Assert.Empty(parsed.Rest);
    }

    [Fact]
    public void HelpBeforeDoubleDash_IsStillHelp()
    {
        var help = Assert.Throws<HelpRequestedException>(() => PluginOptionParser.Parse("input_exec.so", ["-h", "--", "x"], WithRest, "the help"));

        Assert.Equal("the help", help.HelpText);
    }

    [Fact]
    public void PluginsWithoutTheOptIn_StillRejectDoubleDash()
    {
        var error = Assert.Throws<UsageException>(() => PluginOptionParser.Parse("input_file.so", ["--", "x"], WithoutRest, "help"));

        Assert.Contains("'--'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OldConstructor_HasNoRest()
    {
        var parsed = new ParsedOptions("p", []);

        Assert.False(parsed.HasRest);
        Assert.Empty(parsed.Rest);
    }
}
