using MjpgStreamer.Core.Options;

namespace MjpgStreamer.Core.Tests.Options;

public sealed class ArgumentSplitterTests
{
    [Fact]
    public void The_name_ends_at_the_first_space_and_the_raw_rest_keeps_its_leading_space()
    {
        Assert.Equal(("input_file.so", " -f /srv/ref/frames -d 0.05 -e"), ArgumentSplitter.SplitSpec("input_file.so -f /srv/ref/frames -d 0.05 -e"));
        Assert.Equal(("output_http.so", ""), ArgumentSplitter.SplitSpec("output_http.so"));
    }

    [Fact]
    public void Words_split_on_spaces_and_runs_of_spaces_collapse() =>
        Assert.Equal(["-p", "8080", "-w", "www"], ArgumentSplitter.SplitWords("  -p   8080 -w www "));

    [Fact]
    public void Double_quotes_group_words() =>
        Assert.Equal(["-c", "my script", "-x", ""], ArgumentSplitter.SplitWords("-c \"my script\" -x \"\""));

    [Fact]
    public void An_unbalanced_quote_is_a_usage_error() =>
        Assert.Throws<UsageException>(() => ArgumentSplitter.SplitWords("-c \"oops"));

    [Theory]
    [InlineData("VGA", 640, 480)]
    [InlineData("FHD", 1920, 1280)]
    [InlineData("1280x720", 1280, 720)]
    public void Resolutions_by_name_or_size(string text, int w, int h) =>
        Assert.Equal((w, h), Resolution.Parse(text, "-r"));

    [Theory]
    [InlineData("vga")]
    [InlineData("640*480")]
    [InlineData("0x480")]
    [InlineData("x")]
    public void Bad_resolutions_are_usage_errors(string text) =>
        Assert.Throws<UsageException>(() => Resolution.Parse(text, "-r"));
}
