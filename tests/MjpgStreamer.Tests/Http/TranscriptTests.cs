using System.Text;
using MjpgStreamer.Tests.Infrastructure;
using static MjpgStreamer.Tests.Infrastructure.WireContract;

namespace MjpgStreamer.Tests.Http;

/// <summary>
/// Each captured request of the original, replayed byte for byte against our server, and the answer
/// compared by the wire contract. Deliberate differences (docs/compatibility.md) are asserted as such.
/// </summary>
public sealed class TranscriptTests(TranscriptServerFixture fixture) : IClassFixture<TranscriptServerFixture>
{
    private static async Task<byte[]> ReplayAsync(Transcript transcript, int port, int maxBytes = int.MaxValue)
    {
        var request = Encoding.ASCII.GetString(transcript.Request);
        var bytes = Encoding.ASCII.GetBytes(request);
        return await RawHttp.SendAsync(port, bytes, TimeSpan.FromSeconds(10), maxBytes);
    }

    [Theory]
    [InlineData("01", Body.Jpeg)]
    [InlineData("18", Body.Jpeg)]
    [InlineData("30", Body.Jpeg)]
    public async Task Snapshots(string number, Body body)
    {
        var t = Transcript.Load(number);
        AssertMatches(t.RawResponse, await ReplayAsync(t, fixture.Plain), body, null, "Content-Length");
    }

    [Theory]
    [InlineData("02")]
    [InlineData("22")]
    public async Task Streams(string number)
    {
        var t = Transcript.Load(number);
        var ours = await ReplayAsync(t, fixture.Plain, maxBytes: 150_000);
        AssertMatches(t.RawResponse, ours, Body.Multipart);
        Assert.True(Multipart.Parse(HttpResponse.Parse(ours).Body).Count >= 4);
    }

    [Theory]
    [InlineData("03")]
    [InlineData("04")]
    public async Task Json_documents(string number)
    {
        var t = Transcript.Load(number);
        AssertMatches(t.RawResponse, await ReplayAsync(t, fixture.Plain), Body.Json);
    }

    [Fact]
    public async Task Program_json_lists_the_plugins_with_their_raw_arguments()
    {
        var t = Transcript.Load("05");
        var ours = await ReplayAsync(t, fixture.Plain);
        AssertMatches(t.RawResponse, ours, Body.Ignore);
        var body = HttpResponse.Parse(ours).BodyText;
        Assert.Contains("\"name\": \"FILE input plugin\",\n\"plugin\": \"input_file.so\",\n\"args\": \"" + TranscriptServerFixture.InputArgs + "\"", body, StringComparison.Ordinal);
        Assert.Contains("\"name\": \"HTTP output plugin\",\n\"plugin\": \"output_http.so\",\n\"args\": \" -p 0 -l 127.0.0.1 -w " + TestMedia.WwwFolder + "\"", body, StringComparison.Ordinal);
        Assert.Contains("}, \n{", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("06", TestMedia.IndexHtml)]
    [InlineData("07", TestMedia.StreamSimpleHtml)]
    [InlineData("28", TestMedia.IndexHtml)]
    [InlineData("29", TestMedia.IndexHtml)]
    public async Task Static_files(string number, string expectedBody)
    {
        var t = Transcript.Load(number);
        var ours = await ReplayAsync(t, fixture.Plain);
        AssertMatches(t.RawResponse, ours, Body.Ignore);
        Assert.Equal(expectedBody, HttpResponse.Parse(ours).BodyText);
    }

    [Theory]
    [InlineData("08")]
    [InlineData("09")]
    [InlineData("10")]
    [InlineData("11")]
    [InlineData("12")]
    [InlineData("13")]
    [InlineData("14")]
    [InlineData("15")]
    [InlineData("17")]
    [InlineData("19")]
    [InlineData("21")]
    [InlineData("25")]
    [InlineData("26")]
    [InlineData("27")]
    public async Task Text_answers_and_error_pages(string number)
    {
        var t = Transcript.Load(number);
        AssertMatches(t.RawResponse, await ReplayAsync(t, fixture.Plain), Body.Exact);
    }

    [Fact]
    public async Task An_output_number_out_of_range_is_404()
    {
        // The fixture has three outputs where the original had one: output 3 is the first that does not exist.
        var t = Transcript.Load("20");
        var request = Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(t.Request).Replace("/output_1.json", "/output_3.json", StringComparison.Ordinal));
        AssertMatches(t.RawResponse, await RawHttp.SendAsync(fixture.Plain, request), Body.Exact);
    }

    [Fact]
    public async Task A_lowercase_method_is_malformed()
    {
        // The transcript's request is HTTP/1.1 without Host, which is 400 for its own reason here (see
        // Bare_line_feeds_are_accepted); as HTTP/1.0 it reaches the same "Malformed HTTP request" page.
        var t = Transcript.Load("34");
        var request = Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(t.Request).Replace("HTTP/1.1", "HTTP/1.0", StringComparison.Ordinal));
        AssertMatches(t.RawResponse, await RawHttp.SendAsync(fixture.Plain, request), Body.Exact);
    }

    [Fact]
    public async Task A_command_to_a_plugin_that_does_not_exist_reports_failure_not_success()
    {
        // Deliberate difference: the original answers "3: 0" (success) although nothing was called.
        var t = Transcript.Load("16");
        var ours = HttpResponse.Parse(await ReplayAsync(t, fixture.Plain));
        Assert.Equal(200, ours.Status);
        Assert.Equal("3: -1", ours.BodyText);
    }

    [Fact]
    public async Task A_command_to_an_input_without_controls_answers_instead_of_crashing()
    {
        // The original dies with SIGSEGV here (transcript 35).
        var t = Transcript.Load("35");
        var ours = HttpResponse.Parse(await ReplayAsync(t, fixture.Plain));
        Assert.Equal(200, ours.Status);
        Assert.Equal("1: -1", ours.BodyText);
        Assert.False(fixture.Server.HasExited);
    }

    [Fact]
    public async Task Head_is_answered_with_the_headers_of_get()
    {
        // Deliberate difference: the original answers HEAD with 400 (transcript 23).
        var t = Transcript.Load("23");
        var ours = HttpResponse.Parse(await ReplayAsync(t, fixture.Plain));
        Assert.Equal(200, ours.Status);
        Assert.Equal("image/jpeg", ours.Header("Content-Type"));
        Assert.Empty(ours.Body);
    }

    [Fact]
    public async Task An_action_after_other_parameters_is_recognised()
    {
        // Deliberate difference: the original serves index.html for "/?foo=1&action=snapshot" (transcript 24).
        var t = Transcript.Load("24");
        var ours = HttpResponse.Parse(await ReplayAsync(t, fixture.Plain));
        Assert.Equal(200, ours.Status);
        Assert.Equal("image/jpeg", ours.Header("Content-Type"));
        AssertJpeg(ours.Body);
    }

    [Fact]
    public async Task Bare_line_feeds_are_accepted()
    {
        var t = Transcript.Load("33");
        // The transcript's HTTP/1.1 request has no Host header, which HTTP/1.1 requires (RFC 9112): with one,
        // a bare-LF request is served as the original serves it.
        var request = Encoding.ASCII.GetBytes("GET /?action=snapshot HTTP/1.1\nHost: x\n\n");
        AssertMatches(t.RawResponse, await RawHttp.SendAsync(fixture.Plain, request), Body.Jpeg, null, "Content-Length");
        var withoutHost = HttpResponse.Parse(await RawHttp.SendAsync(fixture.Plain, t.Request));
        Assert.Equal(400, withoutHost.Status);
    }

    [Theory]
    [InlineData("40")]
    [InlineData("41")]
    [InlineData("43")]
    public async Task Authentication_is_required_for_everything(string number)
    {
        var t = Transcript.Load(number);
        AssertMatches(t.RawResponse, await ReplayAsync(t, fixture.WithAuth), Body.Exact);
    }

    [Theory]
    [InlineData("42")]
    [InlineData("44")]
    public async Task Good_credentials_pass_whatever_the_case_of_the_header(string number)
    {
        var t = Transcript.Load(number);
        var ours = await ReplayAsync(t, fixture.WithAuth);
        AssertMatches(t.RawResponse, ours, Body.Ignore, null, "Content-Length");
    }

    [Fact]
    public async Task Program_json_never_shows_the_password()
    {
        // Deliberate difference: the original shows "-c user:pass" (transcript 45).
        var t = Transcript.Load("45");
        var ours = HttpResponse.Parse(await ReplayAsync(t, fixture.WithAuth));
        Assert.Equal(200, ours.Status);
        Assert.Contains("-c user:***", ours.BodyText, StringComparison.Ordinal);
        Assert.DoesNotContain("pass", ours.BodyText.Replace("user:***", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("user:pass", fixture.Server.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("48")]
    [InlineData("49")]
    public async Task No_commands_and_no_www_folder(string number)
    {
        var t = Transcript.Load(number);
        AssertMatches(t.RawResponse, await ReplayAsync(t, fixture.NoCommands), Body.Exact);
    }
}
