using System.Diagnostics;
using System.Globalization;
using MjpgStreamer.Tests.Infrastructure;
using MjpgStreamer.Tests.Uvc;

namespace MjpgStreamer.Tests.Still;

/// <summary>?action=still: a full-resolution JPEG on one URL while the stream keeps its size and its clients.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class StillTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static (int Width, int Height) SofSize(byte[] jpeg)
    {
        var pos = 2;
        while (pos + 9 <= jpeg.Length && jpeg[pos] == 0xFF)
        {
            if (jpeg[pos + 1] is 0xC0 or 0xC1 or 0xC2)
            {
                return ((jpeg[pos + 7] << 8) | jpeg[pos + 8], (jpeg[pos + 5] << 8) | jpeg[pos + 6]);
            }

            pos += 2 + ((jpeg[pos + 2] << 8) | jpeg[pos + 3]);
        }

        return (0, 0);
    }

    private static Task<ServerProcess> StartCameraAsync(FakeCamera camera, string inputArgs) =>
        ServerProcess.StartAsync(["--pause-file", Path.Combine(camera.Folder, "paused.lock"), "-i", $"input_uvc.so -d {camera.Device} {inputArgs}", "-o", "output_http.so -p 0 -l 127.0.0.1"], environment: camera.Environment());

    private static Task<ServerProcess> StartPatternAsync(string stillCommand, string folder) =>
        ServerProcess.StartAsync(["--pause-file", Path.Combine(folder, "paused.lock"), "-i", $"input_testpattern.so -r 320x240 -f 15 -still_command \"{stillCommand}\"", "-o", "output_http.so -p 0 -l 127.0.0.1"]);

    [Fact]
    public async Task UsbCamera_GivesItsLargestSize_WhileTheStreamStaysSmall_AndItsClientStays()
    {
        using var camera = new FakeCamera();
        await using var server = await StartCameraAsync(camera, "-r 640x480 -f 30 -br 12");
        await using var client = await MjpegClient.ConnectAsync(server.Port);
        var before = await client.NextMatchingAsync(UvcCameraTests.IsCameraFrame, Bound);
        Assert.Equal("9963777: 0", (await RawHttp.GetResponseAsync(server.Port, "/?action=command&id=9963777&group=1&value=40")).BodyText);

        var still = await RawHttp.GetResponseAsync(server.Port, "/?action=still");

        Assert.Equal(200, still.Status);
        Assert.Equal("image/jpeg", still.Header("Content-Type"));
        Assert.Equal(still.Body.Length.ToString(CultureInfo.InvariantCulture), still.Header("Content-Length"));
        Assert.Equal((1920, 1080), SofSize(still.Body));
        var stillComment = FakeCamera.ReadComment(still.Body)!;
        Assert.Equal(("1920x1080", "12", "40"), (stillComment["size"], stillComment["brightness"], stillComment["contrast"]));

        // The same connection goes on at 640x480, with the controls as they were.
        var after = await client.NextMatchingAsync(p => UvcCameraTests.IsCameraFrame(p) && int.Parse(UvcCameraTests.Comment(p)["frame"], CultureInfo.InvariantCulture) > int.Parse(stillComment["frame"], CultureInfo.InvariantCulture), Bound);
        Assert.Equal(("640x480", "12", "40"), (UvcCameraTests.Comment(after)["size"], UvcCameraTests.Comment(after)["brightness"], UvcCameraTests.Comment(after)["contrast"]));
        Assert.Equal((640, 480), SofSize(after.Jpeg));
        await ServerState.WaitForAsync(server, "streaming");
        _ = before;
    }

    [Fact]
    public async Task StillOption_ChoosesTheSize_AndTwoStillsAtOnceAreBothAnswered()
    {
        using var camera = new FakeCamera();
        await using var server = await StartCameraAsync(camera, "-r 640x480 -still 1280x720");
        await ServerState.WaitForAsync(server, "streaming");

        var stills = await Task.WhenAll(
            RawHttp.GetResponseAsync(server.Port, "/?action=still"),
            RawHttp.GetResponseAsync(server.Port, "/still"));

        Assert.All(stills, s => Assert.Equal((200, (1280, 720)), (s.Status, SofSize(s.Body))));
        await ServerState.WaitForAsync(server, "streaming");
    }

    [Fact]
    public async Task AFloodOfStills_SlowsTheStills_NotTheStream_WhoseClientGetsLiveFramesEverySecond()
    {
        using var camera = new FakeCamera();
        await using var server = await StartCameraAsync(camera, "-r 640x480 -f 15");
        await using var client = await MjpegClient.ConnectAsync(server.Port);
        await client.NextMatchingAsync(UvcCameraTests.IsCameraFrame, Bound);

        // Six clients ask for stills for 5 s, each again as soon as it has its answer (after a 429, 100 ms later).
        var flood = TimeSpan.FromSeconds(5);
        var watch = Stopwatch.StartNew();
        var statuses = new System.Collections.Concurrent.ConcurrentBag<(int Status, string? RetryAfter)>();
        async Task AskAsync()
        {
            while (watch.Elapsed < flood)
            {
                var still = await RawHttp.GetResponseAsync(server.Port, "/?action=still");
                statuses.Add((still.Status, still.Header("Retry-After")));
                if (still.Status != 200)
                {
                    await Task.Delay(100);
                }
            }
        }

        var askers = Enumerable.Range(0, 6).Select(_ => Task.Run(AskAsync)).ToArray();

        // Meanwhile the stream client notes when each new live camera frame arrives.
        var live = new List<TimeSpan>();
        var lastFrame = -1L;
        while (watch.Elapsed < flood)
        {
            var part = await client.NextAsync(Bound);
            if (FakeCamera.ReadComment(part.Jpeg) is { } comment && long.Parse(comment["frame"], CultureInfo.InvariantCulture) > lastFrame)
            {
                lastFrame = long.Parse(comment["frame"], CultureInfo.InvariantCulture);
                Assert.Equal("640x480", comment["size"]);
                live.Add(watch.Elapsed);
            }
        }

        await Task.WhenAll(askers).WaitAsync(Bound);
        var silent = Enumerable.Range(0, (int)flood.TotalSeconds).Where(second => !live.Any(t => (int)t.TotalSeconds == second)).ToList();
        Assert.True(silent.Count == 0, $"no live frame in second(s) {string.Join(", ", silent)} of the flood; {live.Count} live frames, stills answered {string.Join(", ", statuses.GroupBy(s => s.Status).Select(g => $"{g.Key} x{g.Count()}"))}");
        Assert.Contains(statuses, s => s.Status == 200);
        Assert.Contains(statuses, s => s.Status == 429);
        Assert.All(statuses, s => Assert.True(s.Status is 200 or 429, $"a still answered {s.Status}"));
        Assert.All(statuses.Where(s => s.Status == 429), s => Assert.Matches("^[1-9][0-9]*$", s.RetryAfter ?? ""));
        await ServerState.WaitForAsync(server, "streaming");
    }

    [Theory]
    [InlineData("input_uvc.so")]
    [InlineData("input_raspicam.so")]
    [InlineData("input_file.so")]
    [InlineData("input_testpattern.so")]
    public async Task EveryInput_ListsStillInterval_InItsHelp(string plugin)
    {
        var run = await ProgramRun.RunAsync("-i", plugin + " --help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(" [-still_interval ].....: seconds of live frames the stream gets between two stills,", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-still_interval -1", "-still_interval '-1' is not a number of at least 0")]
    [InlineData("-still_interval soon", "-still_interval 'soon' is not a number of at least 0")]
    [InlineData("-still_interval 1e300", "-still_interval '1e300' is more than 3600 seconds")]
    public async Task ABadStillInterval_ExitsTwo_WithOneLineNamingIt(string args, string message)
    {
        var run = await ProgramRun.RunAsync("--pause-file", "none", "-i", "input_testpattern.so " + args, "-o", "output_http.so -p 0 -l 127.0.0.1");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("input_testpattern.so: " + message, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StillCommand_OnAnyInput_ReleasesIt_RunsTheCommand_AndResumes()
    {
        var folder = TestMedia.NewTempFolder();
        await using var server = await StartPatternAsync("ffmpeg -nostdin -loglevel error -f lavfi -i testsrc=size=1024x768 -frames:v 1 -f mjpeg -", folder);
        await using var client = await MjpegClient.ConnectAsync(server.Port);
        await client.NextAsync();

        var still = await RawHttp.GetResponseAsync(server.Port, "/?action=still");

        Assert.Equal(200, still.Status);
        Assert.Equal((1024, 768), SofSize(still.Body));
        await ServerState.WaitForAsync(server, "streaming");
        var part = await client.NextAsync();
        Assert.Equal((320, 240), SofSize(part.Jpeg));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task AFailingStillCommand_Gives503WithItsMessage_AndTheStreamResumes()
    {
        var folder = TestMedia.NewTempFolder();
        var script = Path.Combine(folder, "broken-still");
        File.WriteAllText(script, "#!/bin/sh\necho 'camera not found' >&2\nexit 3\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var server = await StartPatternAsync(script, folder);
        await ServerState.WaitForAsync(server, "streaming");

        var still = await RawHttp.GetResponseAsync(server.Port, "/?action=still");

        Assert.Equal(503, still.Status);
        Assert.Contains("exited with 3: camera not found", still.BodyText, StringComparison.Ordinal);
        await ServerState.WaitForAsync(server, "streaming");
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task AHangingStillCommand_Gives503WithinFiveSeconds_IsKilled_AndTheStreamResumes()
    {
        var folder = TestMedia.NewTempFolder();
        var marker = Path.Combine(folder, "hanging-still-" + Guid.NewGuid().ToString("N")[..8]);
        File.WriteAllText(marker, "#!/bin/sh\nexec sleep 60\n");
        File.SetUnixFileMode(marker, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var server = await StartPatternAsync(marker, folder);
        await ServerState.WaitForAsync(server, "streaming");

        var watch = Stopwatch.StartNew();
        var request = RawHttp.GetResponseAsync(server.Port, "/?action=still");
        await ServerState.WaitForAsync(server, "still");
        var still = await request;

        Assert.Equal(503, still.Status);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        await ServerState.WaitForAsync(server, "streaming");
        Assert.Empty(Directory.GetDirectories($"/proc/{server.Pid}/task").SelectMany(t => File.ReadAllText(Path.Combine(t, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries)));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task AnInputWithoutStills_Gives503NamingTheOption()
    {
        await using var server = await ServerProcess.StartAsync(["--pause-file", "none", "-i", "input_testpattern.so", "-o", "output_http.so -p 0 -l 127.0.0.1"]);

        var still = await RawHttp.GetResponseAsync(server.Port, "/?action=still");

        Assert.Equal(503, still.Status);
        Assert.Contains("-still_command", still.BodyText, StringComparison.Ordinal);
        Assert.Equal(404, (await RawHttp.GetResponseAsync(server.Port, "/?action=still_3")).Status);
    }

    [Fact]
    public async Task APausedInput_Gives503AtOnce()
    {
        using var camera = new FakeCamera();
        await using var server = await StartCameraAsync(camera, "");
        await ServerState.WaitForAsync(server, "streaming");
        File.WriteAllText(Path.Combine(camera.Folder, "paused.lock"), "");
        await ServerState.WaitForAsync(server, "released");

        var still = await RawHttp.GetResponseAsync(server.Port, "/?action=still");

        Assert.Equal(503, still.Status);
        Assert.Contains("paused", still.BodyText, StringComparison.Ordinal);
    }
}
