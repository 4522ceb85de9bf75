using MjpgStreamer.Core.Options;

namespace MjpgStreamer.Core.Tests.Options;

/// <summary>Passwords hidden wherever an argument string is shown: secret option values as parsed, and URL passwords.</summary>
public sealed class SecretMaskTests
{
    private static readonly OptionSpec[] Specs =
    [
        new("p", true, "p", "port"),
        new("c", true, "c", "credentials") { IsSecret = true },
        new("cert", true, "cert"),
        new("n", false, "n", "nocommands"),
    ];

    private static string Shown(string rawArgs) =>
        SecretMask.Apply(rawArgs, PluginOptionParser.Parse("output_x.so", ArgumentSplitter.SplitWords(rawArgs), Specs, "HELP"));

    [Theory]
    [InlineData(" -p 8080 -c user:pw -n", " -p 8080 -c user:*** -n")]
    [InlineData(" -p 8080 -c  user:pw -n", " -p 8080 -c  user:*** -n")]
    [InlineData(" -cuser:pw", " -cuser:***")]
    [InlineData(" -c \"user:pass word\" -n", " -c \"user:***\" -n")]
    [InlineData(" --credentials=user:pw", " --credentials=user:***")]
    [InlineData(" -cred user:pw", " -cred user:***")]
    [InlineData(" -credentials user:pw", " -credentials user:***")]
    [InlineData(" --c=admin:a:b@c -p 1", " --c=admin:*** -p 1")]
    [InlineData(" -c u:pw -c v:pw2", " -c u:*** -c v:***")]
    public void A_secret_option_is_masked_however_it_was_spelled(string rawArgs, string shown) =>
        Assert.Equal(shown, Shown(rawArgs));

    [Fact]
    public void A_secret_that_is_not_in_the_string_as_typed_is_masked_in_the_words_as_parsed()
    {
        // Quotes inside the value: the string never contains "user:pw" whole.
        var shown = Shown(" -p 1 -c us\"er:p\"w -n");
        Assert.DoesNotContain("p\"w", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("pw", shown, StringComparison.Ordinal);
        Assert.Equal(" -p 1 -c user:*** -n", shown);
    }

    [Fact]
    public void Options_that_are_not_secret_are_shown_as_given()
    {
        Assert.Equal(" -p 8080 -cert /x:y.pem -n", Shown(" -p 8080 -cert /x:y.pem -n"));
        Assert.Empty(PluginOptionParser.Parse("x", ["-p", "1"], Specs, "HELP").Secrets);
    }

    [Fact]
    public void Secrets_lists_each_secret_value_as_parsed()
    {
        var parsed = PluginOptionParser.Parse("x", ArgumentSplitter.SplitWords(" -cuser:a -p 1 --credentials=u:\"b c\""), Specs, "HELP");
        Assert.Equal(["user:a", "u:b c"], parsed.Secrets);
    }

    [Theory]
    [InlineData("rtsp://user:pw@192.168.1.5:554/stream1", "rtsp://user:***@192.168.1.5:554/stream1")]
    [InlineData("-i rtsp://admin:p@ss:w@cam/live -f mjpeg -", "-i rtsp://admin:***@cam/live -f mjpeg -")]
    [InlineData("Input #0, rtsp, from 'rtsp://admin:secret@10.0.0.2':", "Input #0, rtsp, from 'rtsp://admin:***@10.0.0.2':")]
    [InlineData("curl -s \"http://u:pw@cam/snap.jpg?x=1\"", "curl -s \"http://u:***@cam/snap.jpg?x=1\"")]
    [InlineData("http://a:1@h1/ and https://b:2@h2", "http://a:***@h1/ and https://b:***@h2")]
    [InlineData("http://[::1]:8080/?action=stream", "http://[::1]:8080/?action=stream")]
    [InlineData("http://host:8080/path?mail=a@b", "http://host:8080/path?mail=a@b")]
    [InlineData("rtsp://user@cam/", "rtsp://user@cam/")]
    [InlineData("rtsp://user:@cam/", "rtsp://user:@cam/")]
    [InlineData("no url here: a:b@c", "no url here: a:b@c")]
    [InlineData("://x:y@z", "://x:***@z")]
    [InlineData("trailing rtsp://", "trailing rtsp://")]
    public void A_url_password_is_masked_as_user_stars(string text, string shown) =>
        Assert.Equal(shown, SecretMask.MaskUrls(text));

    [Fact]
    public void Url_passwords_in_plugin_arguments_are_masked_too() =>
        Assert.Equal(
            " -r 640x480 -- ffmpeg -i rtsp://admin:***@cam/stream -f mjpeg -",
            SecretMask.Apply(" -r 640x480 -- ffmpeg -i rtsp://admin:hunter2@cam/stream -f mjpeg -", []));
}
