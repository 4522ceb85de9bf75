using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Http;

/// <summary>What users check beyond the transcripts: files, traversal, several inputs and outputs, slow clients, snapshots.</summary>
public sealed class HttpBehaviourTests
{
    [Fact]
    public async Task Only_files_inside_the_www_folder_are_served_and_symlinks_placed_there_are_followed()
    {
        await using var server = await ServerProcess.StartAsync(
            ["-i", "input_testpattern.so -r 160x120", "-o", $"output_http.so -p 0 -l 127.0.0.1 -w {TestMedia.WwwFolder}"]);
        var snap = await RawHttp.GetResponseAsync(server.Port, "/snap.jpg");
        Assert.Equal(200, snap.Status);
        Assert.Equal("image/jpeg", snap.Header("Content-Type"));
        Assert.Equal(File.ReadAllBytes(TestMedia.SymlinkTarget), snap.Body);

        Assert.Equal("body { color: black; }\n", (await RawHttp.GetResponseAsync(server.Port, "/style.css")).BodyText);

        foreach (var attempt in new[] { "/../outside/secret.txt", "/%2e%2e/outside/secret.txt", "/..%2foutside%2fsecret.txt", "/sub/inner.html", "/sub%2finner.html", "/%2e%2e%2f%2e%2e%2fetc%2fpasswd" })
        {
            // The name is the run of [A-Za-z0-9._-] after "/": these become "..", "" (the index) or "sub".
            var answer = await RawHttp.GetResponseAsync(server.Port, attempt);
            Assert.True(answer.Status is 400 or 404 || answer.BodyText == TestMedia.IndexHtml, $"{attempt} answered {answer.Status}");
            Assert.DoesNotContain("secret", answer.BodyText, StringComparison.Ordinal);
            Assert.DoesNotContain("inner", answer.BodyText, StringComparison.Ordinal);
            Assert.DoesNotContain("root:", answer.BodyText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Two_inputs_and_two_outputs_in_one_process()
    {
        await using var server = await ServerProcess.StartAsync(
        [
            "-i", "input_testpattern.so -r 320x240 -f 20",
            "-i", "input_testpattern.so -r 160x120 -f 20",
            "-o", "output_http.so -p 0 -l 127.0.0.1",
            "-o", "output_http.so -p 0 -l 127.0.0.1 -c user:pass",
        ], outputs: 2);

        foreach (var (target, width) in new[] { ("/?action=snapshot", 320), ("/?action=snapshot_1", 160), ("/snapshot?input=1", 160) })
        {
            var snapshot = await RawHttp.GetResponseAsync(server.Ports[0], target);
            Assert.Equal(200, snapshot.Status);
            Assert.Equal(width, JpegWidth(snapshot.Body));
        }

        Assert.Equal(404, (await RawHttp.GetResponseAsync(server.Ports[0], "/?action=snapshot_2")).Status);
        Assert.Equal(401, (await RawHttp.GetResponseAsync(server.Ports[1], "/?action=snapshot_1")).Status);
        Assert.Equal(401, (await RawHttp.GetResponseAsync(server.Ports[1], "/state")).Status);
        var authorized = await RawHttp.GetResponseAsync(server.Ports[1], "/?action=snapshot_1", extraHeaders: "Authorization: Basic dXNlcjpwYXNz\r\n");
        Assert.Equal(160, JpegWidth(authorized.Body));
        var stream = HttpResponse.Parse(await RawHttp.SendAsync(server.Ports[0], Encoding.ASCII.GetBytes("GET /?action=stream_1 HTTP/1.0\r\n\r\n"), TimeSpan.FromSeconds(3), 20_000));
        Assert.Equal(160, JpegWidth(Multipart.Parse(stream.Body)[0].Jpeg));
    }

    [Fact]
    public async Task A_stalled_client_does_not_slow_a_reading_one()
    {
        // The drop of the stalled client after 30 s is checked on a fake clock in InProcessHttpTests.
        await using var server = await ServerProcess.StartAsync(["-i", "input_testpattern.so -r 640x480 -f 30 -q 95", "-o", "output_http.so -p 0 -l 127.0.0.1"]);
        using var stalled = new TcpClient { ReceiveBufferSize = 4096 };
        await stalled.ConnectAsync("127.0.0.1", server.Port);
        await stalled.GetStream().WriteAsync(Encoding.ASCII.GetBytes("GET /?action=stream HTTP/1.0\r\n\r\n"));
        await Eventually.UntilAsync(async () => StreamClients(await GetStateAsync(server.Port)) == 1, "the stalled client is listed");

        // Never read from "stalled"; meanwhile a second client reads for 3 s (the window is the measurement).
        var body = await RawHttp.SendAsync(server.Port, Encoding.ASCII.GetBytes("GET /?action=stream HTTP/1.0\r\n\r\n"), TimeSpan.FromSeconds(3));
        var frames = Multipart.Parse(HttpResponse.Parse(body).Body).Count;
        Assert.True(frames >= 45, $"the reading client got {frames} frames in 3 s at 30 fps");

        // The stalled one is still connected: 30 s have not passed.
        Assert.Equal(1, StreamClients(await GetStateAsync(server.Port)));
    }

    private static int StreamClients(string state)
    {
        using var document = JsonDocument.Parse(state);
        return document.RootElement.GetProperty("outputs")[0].GetProperty("clients").GetArrayLength();
    }

    [Fact]
    public async Task A_snapshot_is_a_frame_taken_after_the_request()
    {
        await using var server = await ServerProcess.StartAsync(["-i", "input_testpattern.so -r 160x120 -f 10", "-o", "output_http.so -p 0 -l 127.0.0.1"]);
        var first = await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot");
        var requested = DateTimeOffset.UtcNow;
        var second = await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot");
        var taken = ParseTimestamp(second.Header("X-Timestamp")!);
        Assert.True(taken >= requested.AddMilliseconds(-5), $"frame taken {taken:O}, requested {requested:O}");
        Assert.True(ParseTimestamp(second.Header("X-Timestamp")!) > ParseTimestamp(first.Header("X-Timestamp")!));
        Assert.Null(second.Header("X-Frame-Age"));
        Assert.Equal(second.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), second.Header("Content-Length"));
    }

    [Fact]
    public async Task Real_clients_ffmpeg_ffprobe_and_curl()
    {
        await using var server = await ServerProcess.StartAsync(["-i", "input_testpattern.so -r 320x240 -f 30", "-o", "output_http.so -p 0 -l 127.0.0.1"]);
        var ffmpeg = await ProgramRun.RunToolAsync("ffmpeg", "-nostdin", "-v", "error", "-i", server.BaseUrl + "?action=stream", "-frames:v", "30", "-f", "null", "-");
        Assert.Equal(0, ffmpeg.ExitCode);
        Assert.Equal("", ffmpeg.Stderr);

        var probe = await ProgramRun.RunToolAsync("ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "default=nw=1", server.BaseUrl + "?action=stream");
        Assert.Equal("codec_name=mjpeg\nwidth=320\nheight=240\n", probe.Stdout);

        var curl = await ProgramRun.RunToolAsync("curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{content_type}", server.BaseUrl + "?action=snapshot&_=123");
        Assert.Equal("200 image/jpeg", curl.Stdout);
    }

    [Fact]
    public async Task The_built_in_page_lists_each_input_from_program_json()
    {
        // The page is static and reads the inputs from program.json (Browser/PageTests shows each in Chromium).
        await using var server = await ServerProcess.StartAsync(["-i", "input_testpattern.so", "-i", "input_testpattern.so", "-o", "output_http.so -p 0 -l 127.0.0.1"]);
        var page = await RawHttp.GetResponseAsync(server.Port, "/");
        Assert.Equal(200, page.Status);
        Assert.Equal("text/html; charset=utf-8", page.Header("Content-Type"));
        Assert.Contains("id=\"pick\"", page.BodyText, StringComparison.Ordinal);
        var script = (await RawHttp.GetResponseAsync(server.Port, "/page.js")).BodyText;
        Assert.Contains("api('program.json')", script, StringComparison.Ordinal);
        Assert.Contains("'?action=stream' + suffix(id)", script, StringComparison.Ordinal);
        var program = (await RawHttp.GetResponseAsync(server.Port, "/program.json")).BodyText;
        Assert.Contains("\"id\": \"1\"", program, StringComparison.Ordinal);
    }

    [Fact]
    public async Task State_reports_inputs_and_stream_clients()
    {
        await using var server = await ServerProcess.StartAsync(["-i", "input_testpattern.so -r 320x240 -f 20", "-o", "output_http.so -p 0 -l 127.0.0.1"]);
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", server.Port);
        await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes("GET /?action=stream HTTP/1.0\r\n\r\n"));
        var reader = Task.Run(async () =>
        {
            var buffer = new byte[65536];
            while (await client.GetStream().ReadAsync(buffer) > 0)
            {
            }
        });
        JsonDocument? state = null;
        await Eventually.UntilAsync(
            async () =>
            {
                state?.Dispose();
                state = JsonDocument.Parse(await GetStateAsync(server.Port));
                var clients = state.RootElement.GetProperty("outputs")[0].GetProperty("clients");
                return state.RootElement.GetProperty("inputs")[0].GetProperty("frames").GetInt64() > 10
                    && state.RootElement.GetProperty("inputs")[0].GetProperty("fps_captured").GetDouble() >= 5
                    && clients.GetArrayLength() == 1 && clients[0].GetProperty("bytes_sent").GetInt64() > 0;
            },
            "the input has streamed a while to the client");
        using var document = state!;
        var input = document.RootElement.GetProperty("inputs")[0];
        Assert.Equal("streaming", input.GetProperty("state").GetString());
        Assert.Equal(320, input.GetProperty("width").GetInt32());
        Assert.Equal(240, input.GetProperty("height").GetInt32());
        Assert.True(input.GetProperty("frames").GetInt64() > 10);
        Assert.InRange(input.GetProperty("fps_captured").GetDouble(), 5, 30);
        var output = document.RootElement.GetProperty("outputs")[0];
        Assert.Equal(server.Port, output.GetProperty("port").GetInt32());
        var streamClient = output.GetProperty("clients")[0];
        Assert.Equal("/?action=stream", streamClient.GetProperty("path").GetString());
        Assert.StartsWith("127.0.0.1:", streamClient.GetProperty("remote").GetString(), StringComparison.Ordinal);
        Assert.True(streamClient.GetProperty("bytes_sent").GetInt64() > 0);
        Assert.True(document.RootElement.GetProperty("gc").GetProperty("gen2").GetInt32() >= 0);
    }

    internal static async Task<string> GetStateAsync(int port) => (await RawHttp.GetResponseAsync(port, "/state")).BodyText;

    internal static DateTimeOffset ParseTimestamp(string text)
    {
        var parts = text.Split('.');
        return DateTimeOffset.FromUnixTimeSeconds(long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture))
            .AddTicks(long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) * 10);
    }

    internal static int JpegWidth(byte[] jpeg)
    {
        for (var i = 2; i + 9 < jpeg.Length;)
        {
            var marker = jpeg[i + 1];
            var length = (jpeg[i + 2] << 8) | jpeg[i + 3];
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                return (jpeg[i + 7] << 8) | jpeg[i + 8];
            }

            i += 2 + length;
        }

        return -1;
    }
}
