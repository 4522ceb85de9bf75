using System.Diagnostics;
using System.Globalization;
using System.Text;
using MjpgStreamer.Tests.Infrastructure;
using MjpgStreamer.Tests.Uvc;

namespace MjpgStreamer.Tests.Pause;

/// <summary>
/// The pause lock file and the HTTP pause against the real executable: the fake camera shows whether the
/// device is held (the server's /proc/PID/fd), input_exec whether the child is gone. Every test has its
/// own --pause-file in a temp folder, never the real /run path.
/// </summary>
public sealed class PauseTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static Task<ServerProcess> StartCameraAsync(FakeCamera camera, string lockFile, string inputArgs = "", string globals = "", params (string Key, string Value)[] environment)
    {
        var args = new List<string> { "--pause-file", lockFile };
        args.AddRange(globals.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        args.AddRange(["-i", $"input_uvc.so -d {camera.Device} {inputArgs}", "-o", "output_http.so -p 0 -l 127.0.0.1"]);
        return ServerProcess.StartAsync(args, environment: camera.Environment(environment));
    }

    private static int FrameNumber(Multipart.Part part) => int.Parse(UvcCameraTests.Comment(part)["frame"], CultureInfo.InvariantCulture);

    [Fact]
    public async Task LockFile_ReleasesTheCamera_ClientsStayWithAFrameASecond_AndRemovalBringsLiveFramesBack()
    {
        using var camera = new FakeCamera();
        var lockFile = Path.Combine(camera.Folder, "paused.lock");
        await using var server = await StartCameraAsync(camera, lockFile, "-br 10");
        await using var client = await MjpegClient.ConnectAsync(server.Port);
        var live = await client.NextMatchingAsync(UvcCameraTests.IsCameraFrame, Bound);
        Assert.Equal(1, camera.OpenDescriptors(server.Pid));

        File.WriteAllText(lockFile, "");
        await Eventually.UntilAsync(() => camera.OpenDescriptors(server.Pid) == 0, "the device is closed", Bound);
        Assert.Equal(0, FakeCamera.BufferMappings(server.Pid));
        await ServerState.WaitForAsync(server, "released", "lock file");
        var state = await ServerState.GetJsonAsync(server, "/state");
        Assert.Equal(("file", lockFile), (state.GetProperty("pause").GetProperty("source").GetString(), state.GetProperty("pause").GetProperty("lock_file").GetString()));
        Assert.Equal(System.Text.Json.JsonValueKind.String, state.GetProperty("inputs")[0].GetProperty("paused_since").ValueKind);

        // The same connection gets the last real frame again, about once a second, with its capture time.
        var last = await client.NextAsync();
        var first = await client.NextAsync();
        var second = await client.NextAsync();
        Assert.Equal(first.Jpeg, second.Jpeg);
        Assert.Equal(first.Headers["X-Timestamp"], second.Headers["X-Timestamp"]);
        Assert.True(FrameNumber(first) >= FrameNumber(live));

        var watch = Stopwatch.StartNew();
        var snapshot = await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot");
        Assert.Equal(200, snapshot.Status);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"the snapshot took {watch.Elapsed}");
        Assert.NotNull(snapshot.Header("X-Frame-Age"));

        File.Delete(lockFile);
        var back = await client.NextMatchingAsync(p => UvcCameraTests.IsCameraFrame(p) && FrameNumber(p) > FrameNumber(second), Bound);
        Assert.Equal("10", UvcCameraTests.Comment(back)["brightness"]);
        await ServerState.WaitForAsync(server, "streaming");
        Assert.Equal(1, camera.OpenDescriptors(server.Pid));
        _ = last;
    }

    [Fact]
    public async Task LockPresentAtStart_TheCameraIsNeverOpened_UntilItGoes()
    {
        using var camera = new FakeCamera();
        var lockFile = Path.Combine(camera.Folder, "paused.lock");
        File.WriteAllText(lockFile, "");
        await using var server = await StartCameraAsync(camera, lockFile, environment: ("FAKECAM_LOG", "1"));
        // "released" without a run before it: the input decided to pause before it ever opened the device (the
        // order itself is checked without a process in CameraStreamPauseTests.PausedBeforeStart_NeverRunsTheSource).
        await ServerState.WaitForAsync(server, "released");
        Assert.DoesNotContain("fakecam: open", server.Stderr, StringComparison.Ordinal);

        File.Delete(lockFile);

        await ServerState.WaitForAsync(server, "streaming");
    }

    [Fact]
    public async Task AStillToolHoldingTheCamera_IsRetriedUntilItLetsGo()
    {
        using var camera = new FakeCamera();
        var lockFile = Path.Combine(camera.Folder, "paused.lock");
        var busy = Path.Combine(camera.Folder, "still-tool-running");
        await using var server = await StartCameraAsync(camera, lockFile, environment: ("FAKECAM_BUSY_FILE", busy));
        await using var client = await MjpegClient.ConnectAsync(server.Port);
        await client.NextMatchingAsync(UvcCameraTests.IsCameraFrame, Bound);

        File.WriteAllText(lockFile, "");
        await ServerState.WaitForAsync(server, "released");
        File.WriteAllText(busy, "");
        File.Delete(lockFile);
        await ServerState.WaitForAsync(server, "no_signal", "busy");
        File.Delete(busy);

        await client.NextMatchingAsync(UvcCameraTests.IsCameraFrame, Bound);
        await ServerState.WaitForAsync(server, "streaming");
    }

    [Fact]
    public async Task InputExec_TheChildIsEndedAndReapedWhilePaused_AndStartedAgainAfter()
    {
        var folder = TestMedia.NewTempFolder();
        var lockFile = Path.Combine(folder, "paused.lock");
        await using var server = await ServerProcess.StartAsync(
        [
            "--pause-file", lockFile,
            "-i", "input_exec.so -r 320x240 -- ffmpeg -nostdin -loglevel error -re -f lavfi -i testsrc=size=320x240:rate=15 -f mjpeg -",
            "-o", "output_http.so -p 0 -l 127.0.0.1",
        ]);
        await ServerState.WaitForAsync(server, "streaming");
        Assert.NotEmpty(ChildPids(server.Pid));

        File.WriteAllText(lockFile, "");
        await ServerState.WaitForAsync(server, "released");
        Assert.Empty(ChildPids(server.Pid));

        File.Delete(lockFile);
        await ServerState.WaitForAsync(server, "streaming");
        Assert.NotEmpty(ChildPids(server.Pid));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task HttpPauseAndResume_WaitForTheState_AreProtectedByCredentials()
    {
        var folder = TestMedia.NewTempFolder();
        var lockFile = Path.Combine(folder, "paused.lock");
        await using var server = await ServerProcess.StartAsync(["--pause-file", lockFile, "-i", "input_testpattern.so -f 15", "-o", "output_http.so -p 0 -l 127.0.0.1 -c user:secret"]);
        var auth = "Authorization: Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes("user:secret")) + "\r\n";
        Assert.Equal(401, (await RawHttp.GetResponseAsync(server.Port, "/?action=pause")).Status);
        await ServerState.WaitForAsync(server, "streaming", extraHeaders: auth);

        var paused = await RawHttp.GetResponseAsync(server.Port, "/?action=pause&wait=1", extraHeaders: auth);
        Assert.Equal(200, paused.Status);
        Assert.Contains("\"state\":\"released\"", paused.BodyText, StringComparison.Ordinal);
        Assert.False(File.Exists(lockFile));
        var state = await ServerState.GetJsonAsync(server, "/state", auth);
        Assert.Equal("http", state.GetProperty("pause").GetProperty("source").GetString());

        var resumed = await RawHttp.GetResponseAsync(server.Port, "/?action=resume&wait=1", extraHeaders: auth);
        Assert.Equal(200, resumed.Status);
        Assert.Contains("\"state\":\"streaming\"", resumed.BodyText, StringComparison.Ordinal);

        // An HTTP resume does not lift the lock file's pause.
        File.WriteAllText(lockFile, "");
        await ServerState.WaitForAsync(server, "released", extraHeaders: auth);
        var refused = await RawHttp.GetResponseAsync(server.Port, "/?action=resume", extraHeaders: auth);
        Assert.Equal(409, refused.Status);
        Assert.Contains(lockFile, refused.BodyText, StringComparison.Ordinal);
        await ServerState.WaitForAsync(server, "released", extraHeaders: auth);
        File.Delete(lockFile);
        await ServerState.WaitForAsync(server, "streaming", extraHeaders: auth);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task HttpPause_IsRefusedUnderNoCommands()
    {
        await using var server = await ServerProcess.StartAsync(["--pause-file", "none", "-i", "input_testpattern.so", "-o", "output_http.so -p 0 -l 127.0.0.1 -n"]);
        Assert.Equal(501, (await RawHttp.GetResponseAsync(server.Port, "/?action=pause")).Status);
        Assert.Equal(501, (await RawHttp.GetResponseAsync(server.Port, "/?action=resume")).Status);
        var state = await ServerState.GetJsonAsync(server, "/state");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, state.GetProperty("pause").GetProperty("lock_file").ValueKind);
        Assert.Equal(0, WatchThreads(server.Pid));
    }

    private static int WatchThreads(int pid) => ProcessProbe.ThreadTicks(pid).Values.Count(thread => thread.Name == "pause_watch");

    private static async Task<bool> FilePausedAsync(ServerProcess server) =>
        (await ServerState.GetJsonAsync(server, "/state")).GetProperty("pause").GetProperty("source").GetString() == "file";

    [Fact]
    public async Task ALockFileFolderMadeAfterTheStart_IsWatchedOnceItExists_ByOneThreadOfItsOwn()
    {
        var root = Directory.CreateTempSubdirectory("mjpg-pause-late-");
        try
        {
            // As /run/mjpg-streamer made by systemd after the server started.
            var folder = Path.Combine(root.FullName, "mjpg-streamer");
            var lockFile = Path.Combine(folder, "paused.lock");
            await using var server = await ServerProcess.StartAsync(["--pause-file", lockFile, "-i", "input_testpattern.so -r 320x240 -f 15", "-o", "output_http.so -p 0 -l 127.0.0.1"]);
            await Eventually.UntilAsync(() => server.Stderr.Contains($"cannot watch the folder {folder} (it does not exist)", StringComparison.Ordinal), "the missing folder is logged", Bound);
            Assert.Equal(1, WatchThreads(server.Pid));

            Directory.CreateDirectory(folder);
            await Eventually.UntilAsync(() => server.Stderr.Contains($"watching the folder {folder} again", StringComparison.Ordinal), "the new folder is watched", Bound);
            File.WriteAllText(lockFile, "");
            await Eventually.UntilAsync(() => FilePausedAsync(server), "the lock file paused", Bound);
            File.Delete(lockFile);
            await Eventually.UntilAsync(async () => !await FilePausedAsync(server), "its removal resumed", Bound);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task APauseLongerThanPauseWarn_IsLoggedOnce_AndShownInState()
    {
        using var camera = new FakeCamera();
        var lockFile = Path.Combine(camera.Folder, "paused.lock");
        await using var server = await StartCameraAsync(camera, lockFile, globals: "--pause-warn 1");
        await ServerState.WaitForAsync(server, "streaming");

        File.WriteAllText(lockFile, "");
        string? warning = null;
        await Eventually.UntilAsync(
            async () =>
            {
                warning = (await ServerState.GetJsonAsync(server, "/state")).GetProperty("pause").GetProperty("warning").GetString();
                return warning is not null;
            },
            "the pause warning shows in /state",
            Bound);
        Assert.Contains(lockFile, warning, StringComparison.Ordinal);

        // Logged by a timer armed for the end of --pause-warn; that it is logged once however long the pause lasts
        // is checked on a fake clock in PauseCoordinatorTests.
        int Warnings() => server.Stderr.Split('\n').Count(l => l.Contains("warn: pause", StringComparison.Ordinal));
        await Eventually.UntilAsync(() => Warnings() > 0, "the pause warning is logged", Bound);
        Assert.Equal(1, Warnings());
    }

    [Fact]
    public async Task PauseFramePlaceholder_SendsAPausedPictureOfTheStreamSize()
    {
        using var camera = new FakeCamera();
        var lockFile = Path.Combine(camera.Folder, "paused.lock");
        await using var server = await StartCameraAsync(camera, lockFile, "-r 1280x720", "--pause-frame placeholder");
        await using var client = await MjpegClient.ConnectAsync(server.Port);
        await client.NextMatchingAsync(UvcCameraTests.IsCameraFrame, Bound);

        File.WriteAllText(lockFile, "");

        var paused = await client.NextMatchingAsync(p => !UvcCameraTests.IsCameraFrame(p), Bound);
        var ffprobe = Path.Combine(camera.Folder, "paused.jpg");
        await File.WriteAllBytesAsync(ffprobe, paused.Jpeg);
        var probe = await ProgramRun.RunToolAsync("ffprobe", "-v", "error", "-show_entries", "stream=width,height", "-of", "csv=p=0", ffprobe);
        Assert.Equal("1280,720", probe.Stdout.Trim());
    }

    [Fact]
    public async Task PauseAndResumeVerbs_AgainstTheServer_AreSilentAndWaitForTheCamera()
    {
        using var camera = new FakeCamera();
        var lockFile = Path.Combine(camera.Folder, "paused.lock");
        await using var server = await StartCameraAsync(camera, lockFile);
        await ServerState.WaitForAsync(server, "streaming");

        var pause = await ProgramRun.RunAsync("pause", "--pause-file", lockFile, "--url", server.BaseUrl, "--timeout", "5");
        Assert.Equal((0, "", ""), (pause.ExitCode, pause.Stdout, pause.Stderr));
        Assert.True(File.Exists(lockFile));
        Assert.Equal(0, camera.OpenDescriptors(server.Pid));

        var resume = await ProgramRun.RunAsync("resume", "--pause-file", lockFile, "--url", server.BaseUrl, "--timeout", "5");
        Assert.Equal((0, "", ""), (resume.ExitCode, resume.Stdout, resume.Stderr));
        Assert.False(File.Exists(lockFile));
        Assert.Equal("streaming", (await ServerState.InputAsync(server)).GetProperty("state").GetString());
        Assert.Equal(1, camera.OpenDescriptors(server.Pid));
    }

    [Fact]
    public async Task PauseVerb_WithALockFileTheServerDoesNotWatch_TimesOut_AndRemovesIt()
    {
        using var camera = new FakeCamera();
        await using var server = await StartCameraAsync(camera, Path.Combine(camera.Folder, "watched.lock"));
        await ServerState.WaitForAsync(server, "streaming");
        var other = Path.Combine(camera.Folder, "other.lock");

        var pause = await ProgramRun.RunAsync("pause", "--pause-file", other, "--url", server.BaseUrl, "--timeout", "1");

        Assert.Equal(1, pause.ExitCode);
        Assert.Equal("", pause.Stdout);
        Assert.Single(pause.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(other));
        Assert.Equal(1, camera.OpenDescriptors(server.Pid));
    }

    [Theory]
    [InlineData("--pause-frame", "sometimes", "--pause-frame 'sometimes'")]
    [InlineData("--pause-warn", "0", "--pause-warn '0'")]
    [InlineData("--pause-warn", "soon", "--pause-warn 'soon'")]
    public async Task BadPauseOptions_ExitTwo(string option, string value, string named)
    {
        var run = await ProgramRun.RunAsync(option, value, "-i", "input_testpattern.so", "-o", "output_http.so -p 0 -l 127.0.0.1");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(named, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FiveHundredPauseCycles_LeakNoDescriptorsThreadsOrMemory()
    {
        using var camera = new FakeCamera();
        var lockFile = Path.Combine(camera.Folder, "paused.lock");
        await using var server = await StartCameraAsync(camera, lockFile);
        await using var client = await MjpegClient.ConnectAsync(server.Port);
        await client.NextMatchingAsync(UvcCameraTests.IsCameraFrame, Bound);
        using var stopReading = new CancellationTokenSource();
        var received = 0;
        var reader = Task.Run(async () =>
        {
            while (!stopReading.IsCancellationRequested)
            {
                await client.NextAsync(TimeSpan.FromSeconds(30));
                Interlocked.Increment(ref received);
            }
        });

        async Task CycleAsync()
        {
            File.WriteAllText(lockFile, "");
            await Eventually.UntilAsync(() => camera.OpenDescriptors(server.Pid) == 0, "released", Bound);
            File.Delete(lockFile);
            await Eventually.UntilAsync(() => camera.OpenDescriptors(server.Pid) == 1, "reopened", Bound);
        }

        for (var i = 0; i < 10; i++)
        {
            await CycleAsync();
        }

        await ServerState.WaitForAsync(server, "streaming");
        var before = ProcessFigures.Of(server.Pid);
        for (var i = 0; i < 500; i++)
        {
            await CycleAsync();
        }

        await ServerState.WaitForAsync(server, "streaming");
        var after = ProcessFigures.Of(server.Pid);
        Assert.False(reader.IsCompleted, $"the stream client lost its connection: {reader.Exception}");
        var seen = Volatile.Read(ref received);
        await Eventually.UntilAsync(() => Volatile.Read(ref received) > seen, "the client gets frames after the cycles", Bound);
        await stopReading.CancelAsync();

        Assert.Equal(before.Descriptors, after.Descriptors);
        Assert.InRange(after.Threads, before.Threads - 2, before.Threads + 2);
        Assert.True(after.RssKiB - before.RssKiB < 8 * 1024, $"RSS grew from {before.RssKiB} KiB to {after.RssKiB} KiB");
    }

    private static List<int> ChildPids(int pid) =>
        Directory.GetDirectories($"/proc/{pid}/task")
            .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture))
            .Where(child => File.Exists($"/proc/{child}/stat"))
            .ToList();

    /// <summary>A process's open descriptors other than sockets (clients come and go), threads and resident memory.</summary>
    private sealed record ProcessFigures(int Descriptors, int Threads, long RssKiB)
    {
        public static ProcessFigures Of(int pid)
        {
            var descriptors = new DirectoryInfo($"/proc/{pid}/fd").EnumerateFileSystemInfos().Count(e =>
            {
                try
                {
                    return !(e.LinkTarget ?? "").StartsWith("socket:", StringComparison.Ordinal);
                }
                catch (IOException)
                {
                    return false;
                }
            });
            var status = File.ReadAllLines($"/proc/{pid}/status");
            int Field(string name) => int.Parse(status.First(l => l.StartsWith(name, StringComparison.Ordinal))[name.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            return new ProcessFigures(descriptors, Field("Threads:"), Field("VmRSS:"));
        }
    }
}
