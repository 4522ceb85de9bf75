using System.Diagnostics;
using System.Text;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Rtp;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Http;

/// <summary>
/// input_opencv.so through the whole server on the real ffmpeg: a video file plays in a loop at -f, an HTTP MJPEG
/// source is re-encoded at -q and sized by -r, and the original's filter plugins are a bad command line.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class OpencvInputTests : IDisposable
{
    private readonly string _folder = TestMedia.NewTempFolder();

    [Fact]
    public async Task AVideoFile_PlaysInALoop_AtF_AndIsSizedByR()
    {
        // One second of video at 10 fps: one pass at -f 4 is 4 frames.
        var clip = Path.Combine(_folder, "clip.mp4");
        TestMedia.Run("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-t", "1", "-c:v", "mpeg4", clip);
        await using var server = await ServerProcess.StartAsync(["-i", $"input_opencv.so -d {clip} -f 4 -r 160x120", "-o", "output_http.so -p 0 -l 127.0.0.1"]);
        await ServerState.WaitForAsync(server, "streaming");
        var watch = Stopwatch.StartNew();
        var first = (await ServerState.InputAsync(server)).GetProperty("frames").GetInt64();

        // Three passes of the file and more, from one run of ffmpeg.
        var frames = first;
        await Eventually.UntilAsync(
            async () => (frames = (await ServerState.InputAsync(server)).GetProperty("frames").GetInt64()) >= first + 12,
            () => $"12 more frames came; {frames - first} did\n{server.Stderr}",
            TimeSpan.FromSeconds(20));

        // Not faster than -f (a slow machine gives fewer, never more): 4 a second and two of slack.
        Assert.True(frames - first <= (4 * watch.Elapsed.TotalSeconds) + 2, $"{frames - first} frames in {watch.Elapsed.TotalSeconds:0.0} s at -f 4");
        var state = await ServerState.InputAsync(server);
        Assert.Equal("streaming", state.GetProperty("state").GetString());
        Assert.Equal(1, Count(server.Stderr, "started ffmpeg"));
        var snapshot = await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot");
        Assert.True(JpegInfo.TryReadSize(snapshot.Body, out var width, out var height));
        Assert.Equal((160, 120), (width, height));
        Assert.Contains("-re -stream_loop -1 -i " + clip, server.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnHttpMjpegSource_IsReEncodedAtQ_AndSizedByR()
    {
        // Our own server's frames: 640x480 JPEGs at ffmpeg -q:v 5 (about quality 82).
        var jpegs = Directory.GetFiles(TestMedia.FramesFolder, "*.jpg").Order(StringComparer.Ordinal).Take(10).Select(File.ReadAllBytes).ToList();
        Assert.InRange(JpegQuality.Estimate(LumaTable(jpegs[0])), 75, 90);
        await using var upstream = new StubMjpegUpstream(async (_, stream, ct) =>
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=frame\r\n\r\n"), ct);
            for (var i = 0; !ct.IsCancellationRequested; i++)
            {
                var jpeg = jpegs[i % jpegs.Count];
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: {jpeg.Length}\r\n\r\n"), ct);
                await stream.WriteAsync(jpeg, ct);
                await stream.WriteAsync("\r\n"u8.ToArray(), ct);
                await stream.FlushAsync(ct);
                await Task.Delay(100, ct);
            }
        });
        await using var server = await ServerProcess.StartAsync(
            ["-i", $"input_opencv.so -d http://127.0.0.1:{upstream.Port}/?action=stream -q 50 -r 320x240", "-o", "output_http.so -p 0 -l 127.0.0.1"]);
        await ServerState.WaitForAsync(server, "streaming");

        var snapshot = await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot");

        Assert.Equal(200, snapshot.Status);
        Assert.True(JpegInfo.TryReadSize(snapshot.Body, out var width, out var height));
        Assert.Equal((320, 240), (width, height));

        // -q 50 is ffmpeg's -q:v 14, whose tables are about libjpeg's quality 50.
        Assert.InRange(JpegQuality.Estimate(LumaTable(snapshot.Body)), 44, 56);
        Assert.Contains("-q:v 14 -", server.Stderr, StringComparison.Ordinal);
        Assert.NotEmpty(upstream.Requests);
    }

    [Fact]
    public async Task AnHttpSourceThatEnds_IsNoSignal_AndFfmpegIsStartedAgain()
    {
        var jpeg = File.ReadAllBytes(Directory.GetFiles(TestMedia.FramesFolder, "*.jpg").Order(StringComparer.Ordinal).First());
        await using var upstream = new StubMjpegUpstream(async (_, stream, ct) =>
        {
            // Five frames, then the connection closes (the camera went away).
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=frame\r\n\r\n"), ct);
            for (var i = 0; i < 5; i++)
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: {jpeg.Length}\r\n\r\n"), ct);
                await stream.WriteAsync(jpeg, ct);
                await stream.WriteAsync("\r\n"u8.ToArray(), ct);
                await stream.FlushAsync(ct);
                await Task.Delay(100, ct);
            }
        });
        await using var server = await ServerProcess.StartAsync(
            ["-i", $"input_opencv.so -d http://127.0.0.1:{upstream.Port}/?action=stream -r 320x240", "-o", "output_http.so -p 0 -l 127.0.0.1"]);

        await ServerState.WaitForAsync(server, "no_signal", "ffmpeg exited with code");
        await Eventually.UntilAsync(() => Task.FromResult(upstream.Requests.Count >= 2), () => $"ffmpeg connected again; {upstream.Requests.Count} connection(s)\n{server.Stderr}", TimeSpan.FromSeconds(15));

        Assert.Contains("trying again in 1 s", server.Stderr, StringComparison.Ordinal);
        Assert.True(Count(server.Stderr, "started ffmpeg") >= 2);
    }

    [Fact]
    public async Task AnRtspSourceAway_IsNoSignal_AndItsPasswordIsNeverShown()
    {
        // Nothing listens on the discard port: ffmpeg's connection is refused at once.
        await using var server = await ServerProcess.StartAsync(
            ["-i", "input_opencv.so -d rtsp://viewer:s3cretpw@127.0.0.1:9/stream1", "-o", "output_http.so -p 0 -l 127.0.0.1"]);

        await ServerState.WaitForAsync(server, "no_signal", "ffmpeg exited with code");

        var state = (await RawHttp.GetResponseAsync(server.Port, "/state")).BodyText;
        var program = await ServerState.GetJsonAsync(server, "/program.json");
        Assert.Equal("OpenCV Input plugin", program.GetProperty("inputs")[0].GetProperty("name").GetString());
        Assert.Contains("-rtsp_transport tcp -i rtsp://viewer:***@127.0.0.1:9/stream1", server.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cretpw", server.Stderr + state + program, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-filter /usr/local/lib/mjpg-streamer/cvfilter_cpp.so", "-filter")]
    [InlineData("-fargs x", "-fargs")]
    public async Task FilterPlugins_AreABadCommandLine(string option, string named)
    {
        var result = await ProgramRun.RunAsync("-i", "input_opencv.so " + option, "-o", "output_http.so -p 0 -l 127.0.0.1");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"mjpg_streamer: input_opencv.so: {named}: OpenCV filter plugins are not supported (this input runs ffmpeg, not OpenCV)\n", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutFfmpeg_ItExitsWith1_NamingThePackageToInstall()
    {
        var empty = Path.Combine(_folder, "empty");
        Directory.CreateDirectory(empty);

        var result = await ProgramRun.RunWithEnvironmentAsync(
            new Dictionary<string, string?> { ["PATH"] = empty },
            "-i", "input_opencv.so -d rtsp://camera/stream", "-o", "output_http.so -p 0 -l 127.0.0.1");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            "mjpg_streamer: input_opencv.so: ffmpeg is not installed (not found in PATH); install it with: sudo apt install ffmpeg",
            result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
    }

    /// <summary>The first quantisation table of a JPEG (its luma table), 64 entries.</summary>
    private static byte[] LumaTable(byte[] jpeg)
    {
        for (var at = 2; at + 4 < jpeg.Length;)
        {
            var length = (jpeg[at + 2] << 8) | jpeg[at + 3];
            if (jpeg[at + 1] == 0xDB)
            {
                return jpeg[(at + 5)..(at + 5 + 64)];
            }

            at += 2 + length;
        }

        throw new InvalidDataException("no DQT");
    }

    private static int Count(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
