using System.Text;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Http;

/// <summary>
/// HTTP/1.1 clients get the plain body the original sends (no chunked transfer coding), ended by the closed
/// connection: the stream on every route, the JSON answers, the command answers. The head is the one an HTTP/1.0
/// client gets, and so are the body's bytes.
/// </summary>
public sealed class PlainBodyTests
{
    private static readonly string[] Args = ["--pause-file", "none", "-i", "input_testpattern.so -r 160x120 -f 30", "-o", "output_http.so -p 0 -l 127.0.0.1"];

    [Theory]
    [InlineData("/?action=stream")]
    [InlineData("/?action=stream_0")]
    [InlineData("/stream")]
    [InlineData("/?foo=1&action=stream")]
    public async Task A_stream_to_an_http11_client_is_the_plain_multipart_body(string target)
    {
        await using var server = await ServerProcess.StartAsync(Args);
        var raw11 = await RawHttp.SendAsync(server.Port, Request(target, "HTTP/1.1"), TimeSpan.FromSeconds(1));
        var raw10 = await RawHttp.SendAsync(server.Port, Request(target, "HTTP/1.0"), TimeSpan.FromSeconds(1));

        var (head11, body11) = Split(raw11);
        var (head10, _) = Split(raw10);
        Assert.DoesNotContain("Transfer-Encoding", head11, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\r\nConnection: close\r\n", head11, StringComparison.Ordinal);
        Assert.Equal(HeaderSet(head10), HeaderSet(head11));
        // The bytes after the head are the boundary, then parts with their JPEG each followed by CRLF and the boundary.
        Assert.StartsWith("--boundarydonotcross\r\nContent-Type: image/jpeg\r\nContent-Length: ", Encoding.ASCII.GetString(body11[..64]), StringComparison.Ordinal);
        var parts = Multipart.Parse(body11);
        Assert.True(parts.Count >= 3, $"{parts.Count} frames in 1 s at 30 fps");
        Assert.All(parts, p => Assert.Equal([0xFF, 0xD8], p.Jpeg[..2]));
    }

    [Theory]
    [InlineData("/input.json")]
    [InlineData("/input_0.json")]
    [InlineData("/output.json")]
    [InlineData("/program.json")]
    [InlineData("/?action=command&dest=2&plugin=0&id=1&group=0&value=0")]
    [InlineData("/nothing.html")] // the 501 error page without -w (the built-in page has a Content-Length: BuiltInPageTests)
    public async Task A_json_or_command_answer_to_an_http11_client_is_the_plain_body(string target)
    {
        await using var server = await ServerProcess.StartAsync(Args);
        var raw11 = await RawHttp.SendAsync(server.Port, Request(target, "HTTP/1.1"));
        var raw10 = await RawHttp.SendAsync(server.Port, Request(target, "HTTP/1.0"));

        var (head11, body11) = Split(raw11);
        var (head10, body10) = Split(raw10);
        Assert.DoesNotContain("Transfer-Encoding", head11, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\r\nConnection: close\r\n", head11, StringComparison.Ordinal);
        // As the original: no Content-Length, the closed connection ends the body.
        Assert.DoesNotContain("Content-Length", head11, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HeaderSet(head10), HeaderSet(head11));
        Assert.Equal(Encoding.UTF8.GetString(body10), Encoding.UTF8.GetString(body11));
        Assert.NotEmpty(body11);
    }

    [Fact]
    public async Task An_http11_request_without_host_is_still_400_and_with_an_empty_host_is_served()
    {
        await using var server = await ServerProcess.StartAsync(Args);
        var missing = HttpResponse.Parse(await RawHttp.SendAsync(server.Port, "GET /program.json HTTP/1.1\r\n\r\n"u8.ToArray()));
        Assert.Equal(400, missing.Status);
        Assert.Equal("0", missing.Header("Content-Length"));
        Assert.Equal("close", missing.Header("Connection"));

        var bareLf = HttpResponse.Parse(await RawHttp.SendAsync(server.Port, "GET /program.json HTTP/1.1\n\n"u8.ToArray()));
        Assert.Equal(400, bareLf.Status);

        var empty = HttpResponse.Parse(await RawHttp.SendAsync(server.Port, "GET /program.json HTTP/1.1\r\nHost:\r\n\r\n"u8.ToArray()));
        Assert.Equal(200, empty.Status);
        Assert.Null(empty.Header("Transfer-Encoding"));
    }

    [Fact]
    public async Task Curl_ffmpeg_and_ffprobe_read_the_stream_over_http11()
    {
        await using var server = await ServerProcess.StartAsync(Args);
        // --raw: curl would hide chunk-size lines otherwise; with them the output would start with "16\r\n".
        var curl = await ProgramRun.RunToolAsync("curl", "--raw", "-s", "--http1.1", "--max-time", "1", server.BaseUrl + "?action=stream");
        Assert.StartsWith("--boundarydonotcross\r\nContent-Type: image/jpeg\r\n", curl.Stdout, StringComparison.Ordinal);
        var json = await ProgramRun.RunToolAsync("curl", "--raw", "-s", "--http1.1", server.BaseUrl + "program.json");
        Assert.StartsWith("{", json.Stdout, StringComparison.Ordinal);

        // ffmpeg's http protocol asks with HTTP/1.1 and reads a chunked answer too: what matters is that it still reads this one.
        var ffmpeg = await ProgramRun.RunToolAsync("ffmpeg", "-nostdin", "-v", "error", "-i", server.BaseUrl + "?action=stream", "-frames:v", "10", "-f", "null", "-");
        Assert.True(ffmpeg.ExitCode == 0, ffmpeg.Stderr);
        Assert.Equal("", ffmpeg.Stderr);
        var probe = await ProgramRun.RunToolAsync("ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "default=nw=1", server.BaseUrl + "?action=stream");
        Assert.Equal("codec_name=mjpeg\nwidth=160\nheight=120\n", probe.Stdout);
    }

    private static byte[] Request(string target, string version) =>
        Encoding.ASCII.GetBytes($"GET {target} {version}\r\nHost: 127.0.0.1\r\n\r\n");

    private static (string Head, byte[] Body) Split(byte[] raw)
    {
        var end = raw.AsSpan().IndexOf("\r\n\r\n"u8);
        Assert.True(end > 0, "a response head: " + Encoding.ASCII.GetString(raw[..Math.Min(200, raw.Length)]));
        return (Encoding.ASCII.GetString(raw, 0, end + 2), raw[(end + 4)..]);
    }

    /// <summary>The header lines without the status line and Date, in order.</summary>
    private static string[] HeaderSet(string head) =>
        [.. head.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Where(l => !l.StartsWith("Date:", StringComparison.OrdinalIgnoreCase))];
}
