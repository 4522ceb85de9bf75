using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Pause;
using MjpgStreamer.Tools;

namespace MjpgStreamer.Tests.Tools;

/// <summary>The helper verbs' options and how --url becomes the /state address and the login.</summary>
public sealed class ToolOptionsTests
{
    [Fact]
    public void Without_options_the_defaults_apply()
    {
        var options = ToolOptions.Parse([]);

        Assert.Equal("/run/mjpg_streamer_paused.lock", PauseDefaults.LockFile);
        Assert.Equal(PauseDefaults.LockFile, options.PauseFile);
        Assert.Equal(new Uri("http://127.0.0.1:8080/"), options.BaseUrl);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Timeout);
        Assert.False(options.Help);
    }

    [Theory]
    [InlineData("--pause-file", "/tmp/p.lock", "--url", "http://cam:9000/webcam/", "--timeout", "2.5")]
    [InlineData("--pause-file=/tmp/p.lock", "--url=http://cam:9000/webcam/", "--timeout=2.5")]
    [InlineData("--timeout", "7", "--pause-file", "/tmp/other", "--pause-file=/tmp/p.lock", "--url", "http://cam:9000/webcam/", "--timeout=2.5")]
    public void Values_come_as_the_next_word_or_after_an_equals_sign_and_the_last_wins(params string[] args)
    {
        var options = ToolOptions.Parse(args);

        Assert.Equal("/tmp/p.lock", options.PauseFile);
        Assert.Equal(new Uri("http://cam:9000/webcam/"), options.BaseUrl);
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.Timeout);
    }

    [Fact]
    public void A_value_may_start_with_dashes_or_contain_an_equals_sign()
    {
        var options = ToolOptions.Parse(["--pause-file", "--odd=name", "--url=http://h/?a=b"]);

        Assert.Equal("--odd=name", options.PauseFile);
        Assert.Equal("/", options.BaseUrl.AbsolutePath);
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("--help")]
    public void Help_is_a_flag(string arg) => Assert.True(ToolOptions.Parse(["--timeout", "3", arg]).Help);

    [Theory]
    [InlineData("unrecognized option '--pause'", "--pause", "x")]
    [InlineData("unrecognized option '--time'", "--time=3")]
    [InlineData("invalid option '-t'", "-t", "3")]
    [InlineData("unexpected argument 'extra'", "extra")]
    [InlineData("unexpected argument '--'", "--")]
    [InlineData("option '--url' requires an argument", "--url")]
    [InlineData("option '--help' doesn't allow an argument", "--help=1")]
    [InlineData("--timeout '0' is not a number of seconds greater than 0", "--timeout", "0")]
    [InlineData("--timeout '-2' is not a number of seconds greater than 0", "--timeout", "-2")]
    [InlineData("--timeout 'NaN' is not a number of seconds greater than 0", "--timeout", "NaN")]
    [InlineData("--timeout 'Infinity' is not a number of seconds greater than 0", "--timeout", "Infinity")]
    [InlineData("--timeout '1e9' is not a number of seconds greater than 0", "--timeout", "1e9")]
    [InlineData("--timeout '' is not a number of seconds greater than 0", "--timeout=")]
    [InlineData("--timeout '1,5' is not a number of seconds greater than 0", "--timeout", "1,5")]
    [InlineData("--url 'localhost:8080' is not an http:// address such as http://127.0.0.1:8080/", "--url", "localhost:8080")]
    [InlineData("--url '/webcam/' is not an http:// address such as http://127.0.0.1:8080/", "--url", "/webcam/")]
    [InlineData("--url 'file:///run/x' is not an http:// address such as http://127.0.0.1:8080/", "--url", "file:///run/x")]
    [InlineData("--pause-file needs a file name", "--pause-file", "")]
    public void Mistakes_are_usage_errors_with_one_line(string message, params string[] args)
    {
        var error = Assert.Throws<UsageException>(() => ToolOptions.Parse(args));
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/", "http://127.0.0.1:8080/state")]
    [InlineData("http://127.0.0.1:8080", "http://127.0.0.1:8080/state")]
    [InlineData("http://host/webcam/", "http://host/webcam/state")]
    [InlineData("http://host/webcam", "http://host/webcam/state")]
    [InlineData("http://host/webcam/?action=stream", "http://host/webcam/state")]
    [InlineData("http://host:8080/#top", "http://host:8080/state")]
    [InlineData("http://u:p@host:8080/a/b/", "http://host:8080/a/b/state")]
    [InlineData("https://[::1]:8443/cam/", "https://[::1]:8443/cam/state")]
    public void State_is_asked_below_the_base_address_without_credentials(string baseUrl, string expected)
    {
        Assert.Equal(expected, ServerStateClient.ResolveStateUrl(ToolOptions.ParseUrl(baseUrl)).AbsoluteUri);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/", null)]
    [InlineData("http://user:pass@127.0.0.1:8080/", "user:pass")]
    [InlineData("http://user@127.0.0.1:8080/", "user:")]
    [InlineData("http://us%3Aer:p%40ss%3Aw0rd@127.0.0.1/", "us:er:p@ss:w0rd")]
    [InlineData("http://user:p%C3%A4ss@127.0.0.1/", "user:päss")]
    public void User_and_password_in_the_url_become_basic_authorization(string baseUrl, string? expected)
    {
        var header = ServerStateClient.BasicAuthorization(new Uri(baseUrl));

        if (expected is null)
        {
            Assert.Null(header);
            return;
        }

        Assert.NotNull(header);
        Assert.Equal("Basic", header.Scheme);
        Assert.Equal(expected, System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter!)));
    }
}
