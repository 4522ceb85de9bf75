using MjpgStreamer.CommandLine;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Http;

namespace MjpgStreamer.Tests.Unit;

/// <summary>The request and command-line rules, without a server.</summary>
public sealed class RequestRulesTests
{
    [Theory]
    [InlineData("GET", "/?action=snapshot", "Snapshot", 0)]
    [InlineData("GET", "/?action=snapshot_1", "Snapshot", 1)]
    [InlineData("GET", "/?action=snapshotXYZ", "Snapshot", 0)]
    [InlineData("GET", "/?action=stream_2&_=123", "Stream", 2)]
    [InlineData("GET", "/?timestamp=5&action=stream", "Stream", 0)]
    [InlineData("HEAD", "/?action=snapshot", "Snapshot", 0)]
    [InlineData("POST", "/stream", "Stream", 0)]
    [InlineData("POST", "/?action=snapshot", "Malformed", 0)]
    [InlineData("get", "/?action=snapshot", "Malformed", 0)]
    [InlineData("DELETE", "/", "Malformed", 0)]
    [InlineData("GET", "/stream?input=3", "Stream", 3)]
    [InlineData("GET", "/snapshot", "Snapshot", 0)]
    [InlineData("GET", "/?action=command&id=1", "Command", 0)]
    [InlineData("GET", "/?action=take&filename=x.jpg", "Take", 0)]
    [InlineData("GET", "/?action=foo", "File", 0)]
    [InlineData("GET", "/input_1.json", "InputJson", 1)]
    [InlineData("GET", "/input.json?x=1", "InputJson", 0)]
    [InlineData("GET", "/output_2.json", "OutputJson", 2)]
    [InlineData("GET", "/program.json", "ProgramJson", 0)]
    [InlineData("GET", "/state", "State", 0)]
    [InlineData("GET", "/webcam/?action=snapshot", "File", 0)]
    public void Routes(string method, string target, string kind, int number) =>
        Assert.Equal(new RequestRoute(Enum.Parse<RouteKind>(kind), number), RequestRoute.From(method, target));

    [Theory]
    [InlineData("/", "")]
    [InlineData("/index.html?x=1", "index.html")]
    [InlineData("/../../etc/passwd", "..")]
    [InlineData("/..%2f..%2fetc%2fhostname.txt", "..")]
    [InlineData("/webcam/?action=snapshot", "webcam")]
    [InlineData("/a b.html", "a")]
    public void File_names_are_the_safe_run_after_the_slash(string target, string name) =>
        Assert.Equal(name, StaticFiles.NameFromTarget(target));

    [Fact]
    public void File_names_are_cut_to_100_characters() =>
        Assert.Equal(100, StaticFiles.NameFromTarget("/" + new string('a', 150) + ".html").Length);

    [Theory]
    [InlineData("index.html", "Found", "text/html")]
    [InlineData("x.js", "Found", "text/javascript")]
    [InlineData("cambozola.jar", "Found", "application/java-archive")]
    [InlineData("a.b.json", "Found", "application/json")]
    [InlineData("x.JPG", "UnknownType", "")]
    [InlineData("x.svg", "UnknownType", "")]
    [InlineData("..", "UnknownType", "")]
    [InlineData(".htaccess", "NoExtension", "")]
    [InlineData("foo", "NoExtension", "")]
    public void The_mime_table_is_the_originals(string name, string lookup, string type)
    {
        Assert.Equal(Enum.Parse<StaticFiles.Lookup>(lookup), StaticFiles.ContentTypeFor(name, out var contentType));
        Assert.Equal(type, contentType);
    }

    [Fact]
    public void Command_parameters()
    {
        var parsed = CommandParser.Parse("action=command&dest=0&plugin=1&id=9963776&group=1&value=-5");
        Assert.Equal("9963776", parsed.Token);
        Assert.Equal(new Core.Sources.CommandRequest(9963776, -5, 1, 0, 1, "-5"), parsed.Command);
        Assert.Equal((400, "Parameter-string of command does not look valid."), (CommandParser.Parse("action=command").ErrorStatus, CommandParser.Parse("action=command").ErrorMessage));
        Assert.Equal(400, CommandParser.Parse("action=command&dest=1").ErrorStatus);
        Assert.Equal(500, CommandParser.Parse("action=command&id=%zz").ErrorStatus);
        Assert.Equal(7, CommandParser.Parse("action=command&xid=5&id=7").Command!.Id);
        Assert.Equal("abc_1", CommandParser.Parse("action=command&id=abc_1").Token);
    }

    [Fact]
    public void Global_options()
    {
        var (action, options) = GlobalCommandLine.Parse(["-i", "input_file.so -f /x", "--output=output_http.so -p 1", "-ooutput_http.so", "-b"]);
        Assert.Equal(GlobalCommandLine.Action.Run, action);
        Assert.Equal("input_file", options.Inputs[0].Identifier);
        Assert.Equal(" -f /x", options.Inputs[0].RawArgs);
        Assert.Equal(2, options.Outputs.Count);
        Assert.True(options.Background);
        Assert.Equal("input_uvc", PluginSpec.Parse("/usr/local/lib/mjpg-streamer/input_uvc.so -d /dev/video0").Identifier);
        Assert.Equal(GlobalCommandLine.Action.Help, GlobalCommandLine.Parse(["--in", "x", "-h"]).Action);
        Assert.True(GlobalCommandLine.Parse(["--b"]).Options.Background);
        Assert.Throws<UsageException>(() => GlobalCommandLine.Parse(["-i"]));
        Assert.Throws<UsageException>(() => GlobalCommandLine.Parse(["--help=x"]));
    }

    [Theory]
    [InlineData("/?action=command&id=1", true)]
    [InlineData("/?action=take&filename=x.jpg", true)]
    [InlineData("/?action=pause", true)]
    [InlineData("/?action=resume", true)]
    [InlineData("/?action=still", true)]
    [InlineData("/still?input=1", true)]
    [InlineData("/?action=snapshot", false)]
    [InlineData("/?action=stream", false)]
    [InlineData("/state", false)]
    [InlineData("/program.json", false)]
    [InlineData("/input.json", false)]
    [InlineData("/index.html", false)]
    public void Routes_with_a_side_effect_say_so(string target, bool sideEffect) =>
        Assert.Equal(sideEffect, RequestRoute.From("GET", target).HasSideEffect);

    [Theory]
    [InlineData("OctoPi.Local.", "octopi.local")]
    [InlineData("[::1]", "::1")]
    [InlineData("0:0::1", "::1")]
    [InlineData("[2001:DB8::1]", "2001:db8::1")]
    [InlineData("127.0.0.1", "127.0.0.1")]
    public void Host_names_compare_without_case_brackets_or_final_dot(string given, string normalized) =>
        Assert.Equal(normalized, RequestGuard.NormalizeHost(given));
}
