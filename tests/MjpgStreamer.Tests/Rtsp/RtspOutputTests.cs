using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Rtsp;

/// <summary>
/// output_rtsp.so against real clients: ffprobe, ffmpeg over TCP and UDP, GStreamer's rtspsrc. The frames are made once:
/// ffmpeg's (its own optimal Huffman tables: re-coded by the server), ffmpeg's 4:2:2 (Y 2x2 with Cb/Cr 1x2, which
/// RTP/JPEG cannot describe: re-encoded by the server), cjpeg's 4:2:2 with a restart marker per row (standard tables:
/// sent as they are); and the fake camera's, 4:2:0 and 4:2:2 with restart markers, through input_uvc.so. ffmpeg is told <c>-enc_time_base -1</c>: it then keeps the stream's 90 kHz
/// times instead of rounding them to ticks of 1/framerate, where two frames that a busy machine's scheduling published
/// closer than a tick apart would share one (and its null muxer would warn about the repeated time, which says nothing
/// about the stream). Any other warning or error fails a test.
/// </summary>
[Collection("RtspClients")]
public sealed class RtspOutputTests
{
    private static readonly Lazy<(string Optimal, string Restart422, string Ffmpeg422)> Media = new(CreateMedia, LazyThreadSafetyMode.ExecutionAndPublication);

    private static (string Optimal, string Restart422, string Ffmpeg422) CreateMedia()
    {
        var root = TestMedia.NewTempFolder();
        var optimal = Path.Combine(root, "optimal");
        var restart = Path.Combine(root, "restart422");
        var ffmpeg422 = Path.Combine(root, "ffmpeg422");
        var ppm = Path.Combine(root, "ppm");
        Directory.CreateDirectory(optimal);
        Directory.CreateDirectory(restart);
        Directory.CreateDirectory(ffmpeg422);
        Directory.CreateDirectory(ppm);
        Run("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-pix_fmt", "yuvj420p", "-frames:v", "20", Path.Combine(optimal, "f%03d.jpg"));
        Run("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-pix_fmt", "yuvj422p", "-frames:v", "20", Path.Combine(ffmpeg422, "f%03d.jpg"));
        Run("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=352x288:rate=10", "-frames:v", "20", Path.Combine(ppm, "p%03d.ppm"));
        foreach (var file in Directory.GetFiles(ppm))
        {
            Run("cjpeg", "-restart", "1", "-sample", "2x1", "-outfile", Path.Combine(restart, Path.GetFileNameWithoutExtension(file) + ".jpg"), file);
        }

        return (optimal, restart, ffmpeg422);
    }

    private static void Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} failed: {error}");
    }

    private static Task<ServerProcess> StartAsync(string folder, string rtspOptions = "") =>
        ServerProcess.StartAsync(
            ["-i", $"input_file.so -f {folder} -e -d 0.1", "-o", "output_http.so -p 0 -l 127.0.0.1", "-o", $"output_rtsp.so -p 0 -l 127.0.0.1 {rtspOptions}"],
            outputs: 2);

    private static string RtspUrl(ServerProcess server, string path = "", string credentials = "") =>
        $"rtsp://{credentials}127.0.0.1:{server.Ports[1]}/{path}";

    private static async Task<JsonElement> RtspStateAsync(ServerProcess server)
    {
        var state = await ServerState.GetJsonAsync(server, "/state");
        return state.GetProperty("outputs").EnumerateArray().First(o => o.GetProperty("plugin").GetString() == "output_rtsp.so");
    }

    private static Task<ProgramRun.Result> FfmpegAsync(string url, string transport, int frames = 100) =>
        ProgramRun.RunToolAsync("ffmpeg", "-nostdin", "-v", "warning", "-rtsp_transport", transport, "-i", url, "-frames:v", frames.ToString(System.Globalization.CultureInfo.InvariantCulture), "-enc_time_base", "-1", "-f", "null", "-");

    private static void AssertClean(ProgramRun.Result run, string what)
    {
        Assert.True(run.ExitCode == 0 && run.Stderr.Trim().Length == 0, $"{what}: exit {run.ExitCode}, stderr:\n{run.Stderr}");
    }

    /// <summary>
    /// ffmpeg decodes <paramref name="frames"/> frames and writes one CRC line per decoded picture (framecrc): every one
    /// must have <paramref name="pictureBytes"/> bytes (width x height x 2 for 4:2:2, x 1.5 for 4:2:0), and nothing
    /// may be said on stderr.
    /// </summary>
    private static async Task AssertDecodesAsync(string url, string transport, int pictureBytes, int frames = 100)
    {
        var run = await ProgramRun.RunToolAsync("ffmpeg", "-nostdin", "-v", "warning", "-rtsp_transport", transport, "-i", url, "-frames:v", frames.ToString(System.Globalization.CultureInfo.InvariantCulture), "-enc_time_base", "-1", "-f", "framecrc", "-");
        AssertClean(run, transport);
        var sizes = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.StartsWith('#'))
            .Select(line => int.Parse(line.Split(',')[4].Trim(), System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        Assert.Equal(frames, sizes.Count);
        Assert.All(sizes, size => Assert.Equal(pictureBytes, size));
    }

    private static Task<ServerProcess> StartFakeCameraAsync(FakeCamera camera, params (string Key, string Value)[] environment) =>
        ServerProcess.StartAsync(
            ["-i", $"input_uvc.so -d {camera.Device} -r 640x480 -f 30", "-o", "output_http.so -p 0 -l 127.0.0.1", "-o", "output_rtsp.so -p 0 -l 127.0.0.1"],
            outputs: 2,
            environment: camera.Environment(environment));

    [Fact]
    public async Task Ffmpeg_decodes_100_fake_camera_frames_over_tcp_and_udp_without_a_warning()
    {
        using var camera = new FakeCamera();
        await using var server = await StartFakeCameraAsync(camera);
        var tcp = AssertDecodesAsync(RtspUrl(server), "tcp", 640 * 480 * 3 / 2);
        var udp = AssertDecodesAsync(RtspUrl(server), "udp", 640 * 480 * 3 / 2);
        await tcp;
        await udp;
        var state = await RtspStateAsync(server);
        Assert.True(state.GetProperty("frames_sent").GetInt64() >= 100, state.ToString());
        Assert.Equal(0, state.GetProperty("frames_recoded").GetInt64()); // the fake's frames (with or without DHT) are standard
        Assert.Equal(0, state.GetProperty("frames_reencoded").GetInt64());
        Assert.Equal(0, state.GetProperty("frames_skipped").GetInt64());
    }

    [Fact]
    public async Task Fake_camera_422_frames_with_restart_markers_are_sent_as_they_are()
    {
        using var camera = new FakeCamera();
        // TJ_RESTART is libjpeg-turbo's own: the fake's encoder writes a restart marker per MCU row.
        await using var server = await StartFakeCameraAsync(camera, ("FAKECAM_JPEG_SUBSAMP", "422"), ("TJ_RESTART", "1"));
        var tcp = AssertDecodesAsync(RtspUrl(server), "tcp", 640 * 480 * 2);
        var udp = AssertDecodesAsync(RtspUrl(server), "udp", 640 * 480 * 2);
        await tcp;
        await udp;
        var state = await RtspStateAsync(server);
        Assert.Equal(0, state.GetProperty("frames_recoded").GetInt64());
        Assert.Equal(0, state.GetProperty("frames_reencoded").GetInt64());
        Assert.Equal(0, state.GetProperty("frames_skipped").GetInt64());
    }

    [Fact]
    public async Task Ffmpeg_422_frames_are_re_encoded_and_decode_at_their_size_over_tcp_and_udp()
    {
        await using var server = await StartAsync(Media.Value.Ffmpeg422);
        var tcp = AssertDecodesAsync(RtspUrl(server), "tcp", 320 * 240 * 2);
        var udp = AssertDecodesAsync(RtspUrl(server), "udp", 320 * 240 * 2);
        await tcp;
        await udp;
        var state = await RtspStateAsync(server);
        Assert.True(state.GetProperty("frames_reencoded").GetInt64() >= 100, state.ToString());
        Assert.Equal(0, state.GetProperty("frames_recoded").GetInt64()); // the re-encoder writes the standard tables
        Assert.Equal(0, state.GetProperty("frames_skipped").GetInt64());
        Assert.Contains("re-encoding them (lossy) to 4:2:2 or 4:2:0", server.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ffprobe_sees_mjpeg_of_the_frames_size()
    {
        await using var server = await StartAsync(Media.Value.Optimal);
        var run = await ProgramRun.RunToolAsync("ffprobe", "-v", "warning", "-show_entries", "stream=codec_name,width,height", "-of", "compact", RtspUrl(server));
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("codec_name=mjpeg|width=320|height=240", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ffmpeg_decodes_100_re_coded_frames_over_tcp_and_udp_at_once_without_a_warning()
    {
        await using var server = await StartAsync(Media.Value.Optimal);
        var tcp = FfmpegAsync(RtspUrl(server), "tcp");
        var udp = FfmpegAsync(RtspUrl(server), "udp");
        AssertClean(await tcp, "tcp");
        AssertClean(await udp, "udp");
        var state = await RtspStateAsync(server);
        Assert.True(state.GetProperty("frames_recoded").GetInt64() >= 100, state.ToString());
        Assert.Equal(0, state.GetProperty("frames_skipped").GetInt64());
    }

    [Fact]
    public async Task Restart_marker_422_frames_decode_in_ffmpeg_and_gstreamer_as_they_are()
    {
        await using var server = await StartAsync(Media.Value.Restart422, "-n cam");
        var ffmpeg = FfmpegAsync(RtspUrl(server, "cam"), "tcp");
        var gst = ProgramRun.RunToolAsync("gst-launch-1.0", "-q", "rtspsrc", $"location={RtspUrl(server)}", "protocols=udp", "!", "rtpjpegdepay", "!", "jpegdec", "!", "fakesink", "num-buffers=30");
        AssertClean(await ffmpeg, "ffmpeg tcp");
        var gstRun = await gst;
        Assert.True(gstRun.ExitCode == 0, gstRun.Stdout + gstRun.Stderr);
        var state = await RtspStateAsync(server);
        Assert.Equal(0, state.GetProperty("frames_recoded").GetInt64());
        Assert.True(state.GetProperty("frames_sent").GetInt64() >= 100);
    }

    [Fact]
    public async Task Gstreamer_plays_over_tcp_by_name()
    {
        await using var server = await StartAsync(Media.Value.Optimal, "-n live/cam");
        var run = await ProgramRun.RunToolAsync("gst-launch-1.0", "-q", "rtspsrc", $"location={RtspUrl(server, "live/cam")}", "protocols=tcp", "!", "rtpjpegdepay", "!", "jpegdec", "!", "fakesink", "num-buffers=20");
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        var other = await ProgramRun.RunToolAsync("ffprobe", "-v", "error", RtspUrl(server, "other"));
        Assert.Contains("404", other.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credentials_are_asked_for_and_checked()
    {
        await using var server = await StartAsync(Media.Value.Optimal, "-c user:secret");
        var none = await ProgramRun.RunToolAsync("ffprobe", "-v", "error", RtspUrl(server));
        Assert.Contains("401", none.Stderr, StringComparison.Ordinal);
        var wrong = await ProgramRun.RunToolAsync("ffprobe", "-v", "error", RtspUrl(server, credentials: "user:wrong@"));
        Assert.Contains("401", wrong.Stderr, StringComparison.Ordinal);
        AssertClean(await FfmpegAsync(RtspUrl(server, credentials: "user:secret@"), "tcp", frames: 10), "ffmpeg with credentials (Digest)");
        var gst = await ProgramRun.RunToolAsync("gst-launch-1.0", "-q", "rtspsrc", $"location={RtspUrl(server)}", "user-id=user", "user-pw=secret", "!", "rtpjpegdepay", "!", "jpegdec", "!", "fakesink", "num-buffers=10");
        Assert.True(gst.ExitCode == 0, gst.Stdout + gst.Stderr);
    }

    [Fact]
    public async Task Clients_that_vanish_without_teardown_leave_no_descriptor_behind()
    {
        await using var server = await StartAsync(Media.Value.Optimal);
        // One probe first, so whatever the first client creates for good (the recoder, thread pool) is in the baseline.
        AssertClean(await FfmpegAsync(RtspUrl(server), "udp", frames: 5), "warm-up");
        await Eventually.UntilAsync(async () => (await RtspStateAsync(server)).GetProperty("clients").GetArrayLength() == 0, "the warm-up client gone");
        var baseline = Directory.GetFiles($"/proc/{server.Pid}/fd").Length;

        var clients = new List<Process>();
        foreach (var transport in new[] { "tcp", "udp" })
        {
            var start = new ProcessStartInfo("ffmpeg") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardInput = true };
            foreach (var arg in new[] { "-nostdin", "-v", "error", "-rtsp_transport", transport, "-i", RtspUrl(server), "-f", "null", "-" })
            {
                start.ArgumentList.Add(arg);
            }

            clients.Add(Process.Start(start)!);
        }

        try
        {
            await Eventually.UntilAsync(
                async () => (await RtspStateAsync(server)).GetProperty("clients").EnumerateArray().Count(c => c.GetProperty("frames").GetInt64() > 2) == 2,
                "both clients playing");
            var during = Directory.GetFiles($"/proc/{server.Pid}/fd").Length;
            // 2 RTSP connections and 1 UDP pair (an HTTP connection of /state may still be closing in the baseline).
            Assert.True(during >= baseline + 3, $"{during} descriptors while playing, {baseline} before");
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Kill(); // SIGKILL: no TEARDOWN
                await client.WaitForExitAsync();
                client.Dispose();
            }
        }

        await Eventually.UntilAsync(() => Task.FromResult(Directory.GetFiles($"/proc/{server.Pid}/fd").Length <= baseline), () => $"descriptors back to {baseline}: {Directory.GetFiles($"/proc/{server.Pid}/fd").Length}");
        Assert.Equal(0, (await RtspStateAsync(server)).GetProperty("clients").GetArrayLength());
    }

    [Fact]
    public async Task The_test_pattern_streams_without_recoding()
    {
        await using var server = await ServerProcess.StartAsync(
            ["-i", "input_testpattern.so -r 640x480 -f 10", "-o", "output_http.so -p 0 -l 127.0.0.1", "-o", "output_rtsp.so -p 0 -l 127.0.0.1"], outputs: 2);
        AssertClean(await FfmpegAsync(RtspUrl(server), "tcp", frames: 30), "ffmpeg tcp");
        var state = await RtspStateAsync(server);
        Assert.Equal(0, state.GetProperty("frames_recoded").GetInt64());
    }

    [Fact]
    public async Task A_port_in_use_exits_1_with_one_line_and_a_bad_option_exits_2()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var busy = await ProgramRun.RunAsync("--pause-file", "none", "-i", "input_testpattern.so -r 160x120", "-o", $"output_rtsp.so -p {port} -l 127.0.0.1");
        Assert.Equal(1, busy.ExitCode);
        Assert.EndsWith($"mjpg_streamer: output_rtsp.so: port {port} on 127.0.0.1 is in use", busy.Stderr.TrimEnd('\n'), StringComparison.Ordinal);

        var bad = await ProgramRun.RunAsync("--pause-file", "none", "-i", "input_testpattern.so -r 160x120", "-o", "output_rtsp.so -p 70000");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("output_rtsp.so: -p '70000' is not a whole number from 0 to 65535", bad.Stderr, StringComparison.Ordinal);

        var help = await ProgramRun.RunAsync("-o", "output_rtsp.so --help");
        Assert.Contains("RTSP output plugin", help.Stdout + help.Stderr, StringComparison.Ordinal);
    }
}
