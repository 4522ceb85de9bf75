using MjpgStreamer.Core.Options;

namespace MjpgStreamer.Core.Tests.Options;

public sealed class PluginOptionParserTests
{
    private static readonly OptionSpec[] Specs =
    [
        new("d", true, "d", "delay"),
        new("f", true, "f", "folder"),
        new("r", false, "r", "remove"),
        new("res", true, "resolution"),
        new("e", false, "e", "existing"),
    ];

    private static ParsedOptions Parse(string args) =>
        PluginOptionParser.Parse("input_x.so", ArgumentSplitter.SplitWords(args), Specs, "HELP");

    [Theory]
    [InlineData("-d 0.5")]
    [InlineData("--d 0.5")]
    [InlineData("-delay 0.5")]
    [InlineData("--delay=0.5")]
    [InlineData("-del 0.5")]
    [InlineData("-d=0.5")]
    [InlineData("-d0.5")]
    public void One_or_two_dashes_prefixes_and_equals_all_mean_the_same(string args) =>
        Assert.Equal("0.5", Parse(args).Get("d"));

    [Fact]
    public void An_exact_short_name_wins_over_a_longer_name_it_prefixes()
    {
        var parsed = Parse("-r -reso 640x480");
        Assert.True(parsed.Has("r"));
        Assert.Equal("640x480", parsed.Get("res"));
    }

    [Fact]
    public void Unknown_ambiguous_and_missing_values_are_usage_errors()
    {
        Assert.Contains("unknown option '-x'", Assert.Throws<UsageException>(() => Parse("-x")).Message);
        Assert.Contains("needs a value", Assert.Throws<UsageException>(() => Parse("-f")).Message);
        Assert.Contains("ambiguous", Assert.Throws<UsageException>(() => Parse("-re 1")).Message);
        Assert.Contains("takes no value", Assert.Throws<UsageException>(() => Parse("-e=1")).Message);
        Assert.Contains("unexpected argument 'stray'", Assert.Throws<UsageException>(() => Parse("-e stray")).Message);
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("--help")]
    [InlineData("-f /tmp --help")]
    public void Help_anywhere_asks_for_the_plugins_help(string args) =>
        Assert.Equal("HELP", Assert.Throws<HelpRequestedException>(() => Parse(args)).HelpText);

    [Fact]
    public void The_last_value_given_wins() => Assert.Equal("2", Parse("-d 1 -d 2").Get("d"));

    [Fact]
    public void Numbers_are_checked_with_a_message_that_names_the_option()
    {
        var e = Assert.Throws<UsageException>(() => Parse("-d abc").GetDouble("d", 1, 0));
        Assert.Equal("input_x.so: -d 'abc' is not a number of at least 0", e.Message);
        Assert.Throws<UsageException>(() => Parse("-d -1").GetDouble("d", 1, 0));
        Assert.Equal(0.033, Parse("-d 0.033").GetDouble("d", 1, 0));
    }
}
