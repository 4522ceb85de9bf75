using MjpgStreamer.Core.Diagnostics;

namespace MjpgStreamer.Core.Tests.Diagnostics;

public sealed class LogTextTests
{
    [Fact]
    public void Text_without_control_characters_is_returned_as_it_is()
    {
        const string text = "/?action=stream&x=ä€ \\x1b";
        Assert.Same(text, LogText.Escape(text));
    }

    [Theory]
    [InlineData("a\u001b[2Jb", "a\\x1b[2Jb")]
    [InlineData("line\r\nforged", "line\\x0d\\x0aforged")]
    [InlineData("tab\there", "tab\\x09here")]
    [InlineData("nul\0del\u007f", "nul\\x00del\\x7f")]
    [InlineData("c1\u0085\u009b", "c1\\x85\\x9b")]
    [InlineData("sep\u2028\u2029", "sep\\u2028\\u2029")]
    [InlineData("bidi\u202e\u2066\u200f\u061c", "bidi\\u202e\\u2066\\u200f\\u061c")]
    public void Control_characters_become_visible_escapes(string text, string expected)
    {
        Assert.Equal(expected, LogText.Escape(text));
    }
}
