using System.Net;

namespace MjpgStreamer.LoadClient.Tests;

public sealed class LoadClientOptionsTests
{
    private static LoadClientOptions? Parse(params string[] args) => LoadClientOptions.Parse(args, out _, out _);

    private static string? Error(params string[] args)
    {
        LoadClientOptions.Parse(args, out var error, out _);
        return error;
    }

    [Fact]
    public void Reads_the_documented_command_line()
    {
        var options = Parse("--url", "http://127.0.0.1:8080/", "--clients", "500", "--duration", "10", "--warmup", "2",
            "--input", "1", "--pid", "4242", "--ramp-ms", "250", "--json");

        Assert.NotNull(options);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 8080), options.EndPoint);
        Assert.Equal(500, options.Clients);
        Assert.Equal(10, options.DurationSeconds);
        Assert.Equal(2, options.WarmupSeconds);
        Assert.Equal(4242, options.Pid);
        Assert.Equal(250, options.RampMilliseconds);
        Assert.True(options.Json);
        Assert.Equal("/?action=stream_1", options.StreamPathAndQuery);
        Assert.Equal(1, options.InputId);
        Assert.Equal("/state", options.StatePath);
    }

    [Fact]
    public void Without_input_it_asks_for_the_default_stream_of_input_0()
    {
        var options = Parse("--url", "http://localhost:9000/");

        Assert.NotNull(options);
        Assert.Equal("/?action=stream", options.StreamPathAndQuery);
        Assert.Equal(0, options.InputId);
        Assert.Equal(1, options.Clients);
        Assert.Equal(10, options.DurationSeconds);
        Assert.Equal(2, options.WarmupSeconds);
        Assert.Null(options.Pid);
        Assert.False(options.Json);
    }

    [Fact]
    public void Stream_names_another_servers_path_and_the_state_stays_where_it_was()
    {
        var options = Parse("--url", "http://127.0.0.1:8080/", "--stream", "/stream");

        Assert.NotNull(options);
        Assert.Equal("/stream", options.StreamPathAndQuery);
        Assert.Equal("/state", options.StatePath);
        Assert.Equal(0, options.InputId);
    }

    [Theory]
    [InlineData("stream")]
    [InlineData("/a b")]
    [InlineData("/x\r\nHost: evil")]
    public void Stream_refuses_what_is_not_an_absolute_path_for_a_request_line(string path)
    {
        Assert.Null(Parse("--url", "http://127.0.0.1:8080/", "--stream", path));
        Assert.StartsWith("--stream: bad value", Error("--url", "http://127.0.0.1:8080/", "--stream", path), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/")]
    [InlineData("http://127.3.2.1:8080/")]
    [InlineData("http://localhost:8080/")]
    [InlineData("http://LOCALHOST:8080/")]
    [InlineData("http://[::1]:8080/")]
    public void Accepts_loopback_servers(string url)
    {
        Assert.NotNull(Parse("--url", url));
    }

    [Theory]
    [InlineData("http://10.0.0.5:8080/")]
    [InlineData("http://192.168.1.2/")]
    [InlineData("http://example.com:8080/")]
    [InlineData("http://[::2]:8080/")]
    [InlineData("http://0.0.0.0:8080/")]
    public void Refuses_servers_that_are_not_on_this_machine(string url)
    {
        Assert.Null(Parse("--url", url));
        Assert.Contains("loopback", Error("--url", url), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://127.0.0.1/")]
    [InlineData("127.0.0.1:8080")]
    public void Refuses_what_is_not_an_http_url(string url)
    {
        Assert.Contains("not an http:// URL", Error("--url", url), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--clients", "0")]
    [InlineData("--clients", "many")]
    [InlineData("--duration", "0")]
    [InlineData("--duration", "-1")]
    [InlineData("--warmup", "NaN")]
    [InlineData("--pid", "0")]
    public void Refuses_bad_values_with_the_option_name(string name, string value)
    {
        Assert.Equal($"{name}: bad value \"{value}\"", Error("--url", "http://127.0.0.1:1/", name, value));
    }

    [Fact]
    public void Refuses_unknown_options_and_a_missing_url()
    {
        Assert.Equal("unknown option \"--clinets\"", Error("--url", "http://127.0.0.1:1/", "--clinets", "3"));
        Assert.Equal("--url is required", Error("--clients", "3"));
        Assert.Equal("--clients: missing value", Error("--url", "http://127.0.0.1:1/", "--clients"));
    }

    [Fact]
    public void Help_is_a_request_not_an_error()
    {
        Assert.Null(LoadClientOptions.Parse(["--help"], out var error, out var help));
        Assert.True(help);
        Assert.Null(error);
    }

    [Fact]
    public void Rtsp_takes_a_loopback_rtsp_url_and_keeps_url_for_state()
    {
        var options = Parse("--url", "http://127.0.0.1:8080/", "--rtsp", "rtsp://127.0.0.1:8554/cam");
        Assert.NotNull(options);
        Assert.Equal("rtsp://127.0.0.1:8554/cam", options.RtspUrl!.ToString());
        Assert.Equal(8554, options.RtspEndPoint!.Port);
        Assert.Equal(8080, options.EndPoint.Port);
        Assert.Equal(554, Parse("--url", "http://127.0.0.1:8080/", "--rtsp", "rtsp://127.0.0.1/")!.RtspEndPoint!.Port);
        Assert.Null(Parse("--url", "http://127.0.0.1:8080/", "--rtsp", "rtsp://192.0.2.1:8554/"));
        Assert.Null(Parse("--url", "http://127.0.0.1:8080/", "--rtsp", "http://127.0.0.1:8554/"));
    }
}
