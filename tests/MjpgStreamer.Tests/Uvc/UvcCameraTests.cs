using System.Globalization;
using System.Text.Json;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Uvc;

/// <summary>input_uvc.so end to end: the real executable, our V4L2 layer, the fake camera library.</summary>
public sealed class UvcCameraTests
{
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(10);

    private static Task<ServerProcess> StartAsync(FakeCamera camera, string inputArgs, params (string Key, string Value)[] environment) =>
        ServerProcess.StartAsync(
            ["-i", $"input_uvc.so -d {camera.Device} {inputArgs}", "-o", "output_http.so -p 0 -l 127.0.0.1"],
            environment: camera.Environment(environment));

    private static Task<JsonElement> GetJsonAsync(ServerProcess server, string path) => ServerState.GetJsonAsync(server, path);

    private static Task<JsonElement> InputStateAsync(ServerProcess server) => ServerState.InputAsync(server);

    private static Task WaitForStateAsync(ServerProcess server, string state, string reasonPart = "") =>
        ServerState.WaitForAsync(server, state, reasonPart, wait: Recovery);

    internal static Dictionary<string, string> Comment(Multipart.Part part) =>
        FakeCamera.ReadComment(part.Jpeg) ?? throw new Xunit.Sdk.XunitException("the frame is not the camera's (no FAKECAM comment)");

    internal static bool IsCameraFrame(Multipart.Part part) => FakeCamera.ReadComment(part.Jpeg) is not null;

    private static bool HasHuffmanTables(byte[] jpeg)
    {
        var pos = 2;
        while (pos + 4 <= jpeg.Length && jpeg[pos] == 0xFF && jpeg[pos + 1] != 0xDA)
        {
            if (jpeg[pos + 1] == 0xC4)
            {
                return true;
            }

            pos += 2 + ((jpeg[pos + 2] << 8) | jpeg[pos + 3]);
        }

        return false;
    }

    private static (int Width, int Height) SofSize(byte[] jpeg)
    {
        var pos = 2;
        while (pos + 9 <= jpeg.Length && jpeg[pos] == 0xFF)
        {
            var marker = jpeg[pos + 1];
            if (marker is 0xC0 or 0xC1 or 0xC2)
            {
                return ((jpeg[pos + 7] << 8) | jpeg[pos + 8], (jpeg[pos + 5] << 8) | jpeg[pos + 6]);
            }

            pos += 2 + ((jpeg[pos + 2] << 8) | jpeg[pos + 3]);
        }

        return (0, 0);
    }

    [Theory]
    [InlineData("640x480", 30)]
    [InlineData("1280x720", 15)]
    [InlineData("1920x1080", 10)]
    public async Task Mjpeg_StreamsTheSizeAndRateAsked_WithHuffmanTablesInEveryFrame(string size, int fps)
    {
        using var camera = new FakeCamera();
        await using var server = await StartAsync(camera, $"-r {size} -f {fps}");
        await using var client = await MjpegClient.ConnectAsync(server.Port);

        var first = await client.NextMatchingAsync(IsCameraFrame, Recovery);
        var parts = new List<Multipart.Part> { first };
        for (var i = 0; i < 2 * fps; i++)
        {
            parts.Add(await client.NextAsync());
        }

        foreach (var part in parts)
        {
            var comment = Comment(part);
            Assert.Equal(size, comment["size"]);
            Assert.Equal(size, string.Create(CultureInfo.InvariantCulture, $"{SofSize(part.Jpeg).Width}x{SofSize(part.Jpeg).Height}"));
            Assert.True(HasHuffmanTables(part.Jpeg), $"frame {comment["frame"]} has no DHT");
            Assert.Equal(part.Jpeg.Length.ToString(CultureInfo.InvariantCulture), part.Headers["Content-Length"]);
        }

        // The camera numbers its frames; the stream skips none of them at this rate.
        var numbers = parts.Select(p => int.Parse(Comment(p)["frame"], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(numbers[0], numbers.Count), numbers);

        // The capture times (X-Timestamp) are 1/fps apart: the rate set with S_PARM, not the default 30.
        var stamps = parts.Select(p => double.Parse(p.Headers["X-Timestamp"], CultureInfo.InvariantCulture)).ToList();
        var gaps = stamps.Zip(stamps.Skip(1), (a, b) => b - a).Order().ToList();
        Assert.InRange(gaps[gaps.Count / 2], 0.7 / fps, 1.3 / fps);
    }

    [Fact]
    public async Task Yuyv_IsEncodedToJpeg_OfTheCameraSize_AndDecodesWithFfmpeg()
    {
        using var camera = new FakeCamera();
        await using var server = await StartAsync(camera, "-y -r 640x480 -q 70");
        await WaitForStateAsync(server, "streaming");

        var ffmpeg = await ProgramRun.RunToolAsync("ffmpeg", "-nostdin", "-v", "error", "-i", server.BaseUrl + "?action=stream", "-frames:v", "20", "-f", "null", "-");
        Assert.True(ffmpeg.ExitCode == 0, ffmpeg.Stderr);
        Assert.Equal("", ffmpeg.Stderr.Trim());

        await using var client = await MjpegClient.ConnectAsync(server.Port);
        var part = await client.NextAsync();
        Assert.Null(FakeCamera.ReadComment(part.Jpeg));
        Assert.Equal((640, 480), SofSize(part.Jpeg));
        var formats = (await GetJsonAsync(server, "/input.json")).GetProperty("formats");
        var current = formats.EnumerateArray().Single(f => f.GetProperty("current").GetString() == "true");
        Assert.Equal("YUYV 4:2:2", current.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Controls_AsOctolapseUsesThem_ProbeListSetAndSeeTheCameraChange()
    {
        using var camera = new FakeCamera();
        await using var server = await StartAsync(camera, "-r 640x480 -f 30");
        await WaitForStateAsync(server, "streaming");

        var probe = await RawHttp.GetResponseAsync(server.Port, "/?action=command&id=-1");
        Assert.Equal("-1: -1", probe.BodyText);

        var json = await GetJsonAsync(server, "/input.json");
        var controls = json.GetProperty("controls").EnumerateArray().ToList();
        JsonElement Find(string name) => controls.Single(c => c.GetProperty("name").GetString() == name);
        var brightness = Find("Brightness");
        Assert.Equal("9963776", brightness.GetProperty("id").GetString());
        Assert.Equal(("1", "-64", "64", "0", "0", "1"), (brightness.GetProperty("type").GetString(), brightness.GetProperty("min").GetString(), brightness.GetProperty("max").GetString(), brightness.GetProperty("value").GetString(), brightness.GetProperty("dest").GetString(), brightness.GetProperty("group").GetString()));
        var powerLine = Find("Power Line Frequency");
        Assert.Equal("60 Hz", powerLine.GetProperty("menu").GetProperty("2").GetString());
        Assert.Equal("3", Find("JPEG quality").GetProperty("group").GetString());
        Assert.Equal("6", Find("Camera Controls").GetProperty("type").GetString());
        var mjpeg = json.GetProperty("formats")[0];
        Assert.Equal(("Motion-JPEG", "true", "0"), (mjpeg.GetProperty("name").GetString(), mjpeg.GetProperty("current").GetString(), mjpeg.GetProperty("currentResolution").GetString()));
        Assert.Equal("1920x1080", mjpeg.GetProperty("resolutions").GetProperty("2").GetString());

        // A user control (S_CTRL) and a camera-class one (extended controls), as Octolapse sets them.
        Assert.Equal("9963776: 0", (await RawHttp.GetResponseAsync(server.Port, "/?action=command&dest=0&plugin=0&id=9963776&group=1&value=20")).BodyText);
        Assert.Equal("10094860: 0", (await RawHttp.GetResponseAsync(server.Port, "/?action=command&dest=0&plugin=0&id=10094860&group=1&value=0")).BodyText);
        Assert.Equal("10094858: 0", (await RawHttp.GetResponseAsync(server.Port, "/?action=command&dest=0&plugin=0&id=10094858&group=1&value=120")).BodyText);

        await using var client = await MjpegClient.ConnectAsync(server.Port);
        // Frames keep coming between two commands, so the first frame after the last one shows all three.
        var part = await client.NextMatchingAsync(p => Comment(p)["focus_abs"] == "120", Recovery);
        Assert.Equal(("20", "0"), (Comment(part)["brightness"], Comment(part)["focus_auto"]));
        controls = (await GetJsonAsync(server, "/input.json")).GetProperty("controls").EnumerateArray().ToList();
        Assert.Equal("20", Find("Brightness").GetProperty("value").GetString());
        Assert.Equal("120", Find("Focus (absolute)").GetProperty("value").GetString());

        // Out of range, unknown id, a class entry: refused with -1, and the camera keeps its value.
        Assert.Equal("9963776: -1", (await RawHttp.GetResponseAsync(server.Port, "/?action=command&dest=0&plugin=0&id=9963776&group=1&value=500")).BodyText);
        Assert.Equal("123: -1", (await RawHttp.GetResponseAsync(server.Port, "/?action=command&dest=0&plugin=0&id=123&group=1&value=1")).BodyText);
        Assert.Equal("10092545: -1", (await RawHttp.GetResponseAsync(server.Port, "/?action=command&dest=0&plugin=0&id=10092545&group=1&value=1")).BodyText);
        part = await client.NextAsync();
        Assert.Equal("20", Comment(part)["brightness"]);
    }

    [Fact]
    public async Task ResolutionGroup_SwitchesTheCameraSize_ForTheSameClient()
    {
        using var camera = new FakeCamera();
        await using var server = await StartAsync(camera, "-r 640x480");
        await using var client = await MjpegClient.ConnectAsync(server.Port);
        await client.NextMatchingAsync(IsCameraFrame, Recovery);

        Assert.Equal("1: 0", (await RawHttp.GetResponseAsync(server.Port, "/?action=command&id=1&group=2&value=1")).BodyText);

        var part = await client.NextMatchingAsync(p => IsCameraFrame(p) && Comment(p)["size"] == "1280x720", Recovery);
        Assert.Equal((1280, 720), SofSize(part.Jpeg));
        Assert.Equal("1: -1", (await RawHttp.GetResponseAsync(server.Port, "/?action=command&id=1&group=2&value=9")).BodyText);
    }

    [Fact]
    public async Task Unplug_SendsNoSignal_ThenTheSameClientGetsTheCameraBack_WithItsControlsApplied()
    {
        using var camera = new FakeCamera();
        await using var server = await StartAsync(camera, "-r 640x480 -f 30 -br 10", ("FAKECAM_UNPLUG_AFTER_FRAMES", "90"), ("FAKECAM_REPLUG_AFTER_MS", "3000"));
        await using var client = await MjpegClient.ConnectAsync(server.Port);
        var first = await client.NextMatchingAsync(IsCameraFrame, Recovery);
        Assert.Equal("10", Comment(first)["brightness"]);
        Assert.Equal(1, camera.OpenDescriptors(server.Pid));
        Assert.True(FakeCamera.BufferMappings(server.Pid) >= 4);
        Assert.Equal("9963777: 0", (await RawHttp.GetResponseAsync(server.Port, "/?action=command&id=9963777&group=1&value=50")).BodyText);

        // Unplugged: placeholder frames keep coming to the same connection, the device is closed.
        var noSignal = await client.NextMatchingAsync(p => !IsCameraFrame(p), Recovery);
        Assert.True(noSignal.Jpeg.Length > 100);
        // "camera unplugged (DEV)" at once, "no camera at DEV" from the first retry 0.5 s later: either names the device.
        await WaitForStateAsync(server, "no_signal", camera.Device);
        Assert.Equal(0, camera.OpenDescriptors(server.Pid));
        Assert.Equal(0, FakeCamera.BufferMappings(server.Pid));
        var snapshot = await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot");
        Assert.Equal(200, snapshot.Status);
        Assert.NotNull(snapshot.Header("X-Frame-Age"));

        // Replugged (the fake forgot its settings): streaming again with -br and the HTTP value re-applied.
        var back = await client.NextMatchingAsync(IsCameraFrame, Recovery);
        Assert.Equal(("10", "50"), (Comment(back)["brightness"], Comment(back)["contrast"]));
        await WaitForStateAsync(server, "streaming");
        Assert.Equal(1, camera.OpenDescriptors(server.Pid));
    }

    [Fact]
    public async Task CommandWhileUnplugged_AnswersZero_AndTheRepluggedCameraGetsTheValue()
    {
        using var camera = new FakeCamera();
        await using var server = await StartAsync(camera, "-r 640x480 -f 30", ("FAKECAM_UNPLUG_AFTER_FRAMES", "30"), ("FAKECAM_REPLUG_AFTER_MS", "3000"));
        // "camera unplugged (DEV)" at once, "no camera at DEV" from the first retry 0.5 s later: either names the device.
        await WaitForStateAsync(server, "no_signal", camera.Device);

        // No device is open: the camera thread keeps the value for the camera's return and answers at once.
        Assert.Equal("9963777: 0", (await RawHttp.GetResponseAsync(server.Port, "/?action=command&id=9963777&group=1&value=50")).BodyText);
        Assert.Equal(0, camera.OpenDescriptors(server.Pid));

        await using var client = await MjpegClient.ConnectAsync(server.Port);
        var back = await client.NextMatchingAsync(IsCameraFrame, Recovery);
        Assert.Equal("50", Comment(back)["contrast"]);
        Assert.Equal("50", (await GetJsonAsync(server, "/input.json")).GetProperty("controls").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == "Contrast").GetProperty("value").GetString());
    }

    [Fact]
    public async Task BusyAtStart_IsNoSignal_ThenStreamsWhenTheOtherProgramLetsGo()
    {
        using var camera = new FakeCamera();
        var busy = Path.Combine(camera.Folder, "busy");
        File.WriteAllText(busy, "");
        await using var server = await StartAsync(camera, "", ("FAKECAM_BUSY_FILE", busy));
        await WaitForStateAsync(server, "no_signal", "busy");
        await using var client = await MjpegClient.ConnectAsync(server.Port);
        Assert.False(IsCameraFrame(await client.NextAsync()));

        File.Delete(busy);

        await client.NextMatchingAsync(IsCameraFrame, Recovery);
        await WaitForStateAsync(server, "streaming");
    }

    [Fact]
    public async Task MissingAtStart_IsNoSignal_NotAnError()
    {
        using var camera = new FakeCamera();
        await using var server = await ServerProcess.StartAsync(
            ["-i", $"input_uvc.so -d {Path.Combine(camera.Folder, "absent")}", "-o", "output_http.so -p 0 -l 127.0.0.1"],
            environment: camera.Environment());
        await WaitForStateAsync(server, "no_signal", "no camera at");
        Assert.False(server.HasExited);
    }

    [Fact]
    public async Task Stall_TimesOut_ClosesAndReopens_AndStreamsAgain()
    {
        using var camera = new FakeCamera();
        await using var server = await StartAsync(camera, "-timeout 1", ("FAKECAM_STALL_AFTER_FRAMES", "60"));
        await using var client = await MjpegClient.ConnectAsync(server.Port);
        await client.NextMatchingAsync(IsCameraFrame, Recovery);

        await client.NextMatchingAsync(p => !IsCameraFrame(p), Recovery);
        var log = server.Stderr;
        Assert.Contains("no frame for 1 s", log + (await InputStateAsync(server)).ToString(), StringComparison.Ordinal);

        await client.NextMatchingAsync(IsCameraFrame, Recovery);
        await WaitForStateAsync(server, "streaming");
    }

    [Fact]
    public async Task ByIdLink_IsFollowedAgainOnReopen_SoARenumberedCameraIsFound()
    {
        using var camera = new FakeCamera("video0", "video1");
        var byId = Path.Combine(camera.Folder, "by-id");
        Directory.CreateDirectory(byId);
        var link = Path.Combine(byId, "usb-Fake_Camera-video-index0");
        File.CreateSymbolicLink(link, "../video0");
        await using var server = await ServerProcess.StartAsync(
            ["-i", $"input_uvc.so -d {link}", "-o", "output_http.so -p 0 -l 127.0.0.1"],
            environment: camera.Environment(("FAKECAM_UNPLUG_AFTER_FRAMES", "90")));
        await using var client = await MjpegClient.ConnectAsync(server.Port);
        await client.NextMatchingAsync(IsCameraFrame, Recovery);
        Assert.Contains("Fake Camera 0", (await RawHttp.GetResponseAsync(server.Port, "/program.json")).BodyText, StringComparison.Ordinal);

        // video0 goes away for good; the link now points at the same camera on its new node.
        await client.NextMatchingAsync(p => !IsCameraFrame(p), Recovery);
        File.Delete(link);
        File.CreateSymbolicLink(link, "../video1");

        await client.NextMatchingAsync(IsCameraFrame, Recovery);
        Assert.Contains("Fake Camera 1", (await RawHttp.GetResponseAsync(server.Port, "/program.json")).BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_ClosesTheDevice_AndExitsCleanly()
    {
        using var camera = new FakeCamera();
        var server = await StartAsync(camera, "-y");
        await using (server)
        {
            await WaitForStateAsync(server, "streaming");
            Assert.Equal(1, camera.OpenDescriptors(server.Pid));
            var descriptors = Directory.GetFileSystemEntries($"/proc/{server.Pid}/fd").Length;
            Assert.InRange(descriptors, 1, 200);
            Assert.Equal(0, await server.StopAsync());
        }
    }

    [Theory]
    [InlineData("-q abc", "-q 'abc'")]
    [InlineData("-hf maybe", "-hf 'maybe'")]
    [InlineData("-pl 55hz", "-pl '55hz'")]
    [InlineData("-r 12", "-r")]
    [InlineData("-bogus", "bogus")]
    public async Task BadOptions_ExitTwo_WithOneLineNamingThem(string args, string named)
    {
        var run = await ProgramRun.RunAsync("-i", "input_uvc.so " + args, "-o", "output_http.so -p 0 -l 127.0.0.1");

        Assert.Equal(2, run.ExitCode);
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains(named, lines[0], StringComparison.Ordinal);
        Assert.StartsWith("Try 'mjpg_streamer -h'", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ListsTheCameraOptions()
    {
        var run = await ProgramRun.RunAsync("-i", "input_uvc.so --help");

        Assert.Equal(0, run.ExitCode);
        foreach (var option in new[] { "[-d | --device ]", "[-r | --resolution ]", "[-y | --yuv ]", "[-timeout ]", "[-pl ]", "[-cagc ]" })
        {
            Assert.Contains(option, run.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ABadV4l2LibraryPath_ExitsOne_WithOneLineNamingIt()
    {
        var start = new System.Diagnostics.ProcessStartInfo(ServerProcess.ExecutablePath)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-i", "input_uvc.so", "-o", "output_http.so -p 0 -l 127.0.0.1" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["MJPG_STREAMER_V4L2_LIB"] = "/nonexistent/libfakecam.so";
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, process.ExitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("/nonexistent/libfakecam.so", line, StringComparison.Ordinal);
    }
}
