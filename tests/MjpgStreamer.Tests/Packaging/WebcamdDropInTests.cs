using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Packaging;

/// <summary>
/// OctoPi's webcamd, unchanged, against the installed binary: a fake OctoPi home (the original mjpg_streamer, the
/// plugin .so files OctoPi ships, www-octopi/), install.sh --octopi, then webcamd's own shell line exactly as it
/// runs it (cd $MJPGSTREAMER_HOME; LD_LIBRARY_PATH=. ./mjpg_streamer …: port 8080, /dev/video0, the default pause
/// lock file), checked from a client the way an OctoPi user would, stopped with SIGTERM, and uninstalled.
/// The line runs in network and mount namespaces of its own (own-namespaces.sh beside this file), so its
/// 127.0.0.1:8080, its /dev/video0 (the fake camera's file) and its /run are not this machine's.
/// </summary>
/// <remarks>
/// This needs root and namespaces (unshare). Where the machine refuses them (not root, a container without
/// CAP_SYS_ADMIN) the tests are skipped with the reason <see cref="NamespaceFactAttribute"/> found; wherever
/// namespaces work, a failure of own-namespaces.sh fails the test.
/// </remarks>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class WebcamdDropInTests : IDisposable
{
    /// <summary>webcamd's line for a USB camera (OctoPi's defaults: 640x480, 10 fps, /dev/video0), verbatim.</summary>
    private const string UvcLine =
        "cd $MJPGSTREAMER_HOME; LD_LIBRARY_PATH=. ./mjpg_streamer -o \"output_http.so -w ./www-octopi -n --listen 127.0.0.1\" -i \"input_uvc.so -r 640x480 -f 10 -d /dev/video0\"";

    /// <summary>webcamd's line for the Pi camera, verbatim.</summary>
    private const string RaspicamLine =
        "cd $MJPGSTREAMER_HOME; LD_LIBRARY_PATH=. ./mjpg_streamer -o \"output_http.so -w ./www-octopi -n --listen 127.0.0.1\" -i \"input_raspicam.so -fps 10\"";

    private const string HomeInRoot = "/opt/mjpg-streamer";
    private const string IndexHtml = "<html><body>OctoPi webcam <img src=\"?action=stream\"></body></html>\n";
    private static readonly byte[] Original = "#!/bin/sh\n# OctoPi's own mjpg_streamer\necho original mjpg_streamer \"$@\"\n"u8.ToArray();

    private readonly string _folder = TestMedia.NewTempFolder();
    private readonly string _root;
    private readonly string _home;
    private readonly bool _hostHadVideo0 = File.Exists("/dev/video0");
    private readonly bool _hostHadLockFile = File.Exists("/run/mjpg_streamer_paused.lock");
    private Process? _webcamd;
    private readonly StringBuilder _log = new();
    private int _downloads;

    public WebcamdDropInTests()
    {
        _root = Path.Combine(_folder, "root");
        _home = _root + HomeInRoot;
        Directory.CreateDirectory(Path.Combine(_home, "www-octopi"));
        File.WriteAllBytes(Path.Combine(_home, "mjpg_streamer"), Original);
        File.SetUnixFileMode(Path.Combine(_home, "mjpg_streamer"), (UnixFileMode)0b111_101_101);
        // The plugins OctoPi's build leaves beside its mjpg_streamer: ours has its own and must not load these.
        foreach (var plugin in new[] { "input_uvc.so", "output_http.so", "input_raspicam.so", "input_file.so", "output_file.so" })
        {
            File.WriteAllBytes(Path.Combine(_home, plugin), []);
        }

        File.WriteAllText(Path.Combine(_home, "www-octopi", "index.html"), IndexHtml);
    }

    [NamespaceFact]
    public async Task Webcamds_uvc_line_streams_the_fake_camera_at_dev_video0_and_uninstall_restores_the_original()
    {
        var before = Tree();
        await InstallAsync();

        await StartWebcamdAsync(UvcLine, new()
        {
            ["MJPG_STREAMER_V4L2_LIB"] = FakeCamera.LibraryPath,
            ["FAKECAM_DEVICES"] = "/dev/video0",
        });
        await Eventually.UntilAsync(() => Task.FromResult(Log.Contains("input 0: /dev/video0 streaming MJPG 640x480", StringComparison.Ordinal)), () => "input_uvc streams /dev/video0:\n" + Log);

        var snapshot = await GetAsync("/?action=snapshot");
        Assert.Equal("200 image/jpeg", snapshot.Status);
        Assert.Equal((640, 480), JpegSize(snapshot.Body));
        var comment = FakeCamera.ReadComment(snapshot.Body);
        Assert.NotNull(comment);
        Assert.Equal("640x480", comment["size"]);

        await AssertOctoPiPageStreamAndNoCommandsAsync();

        // Frames keep coming from the camera, not one picture again: the fake numbers the frames it produces.
        var stream = await GetAsync("/?action=stream", seconds: 2);
        var numbers = Multipart.Parse(stream.Body).Select(p => int.Parse(FakeCamera.ReadComment(p.Jpeg)!["frame"], CultureInfo.InvariantCulture)).ToList();
        Assert.True(numbers.Count >= 2, $"{numbers.Count} frames in 2 s");
        Assert.Equal(numbers.Order(), numbers);
        Assert.Equal(numbers.Count, numbers.Distinct().Count());

        // Octolapse's pause scripts on OctoPi create the default lock file, which the line leaves in force: the
        // camera is let go while it exists (the namespace's /run, not this machine's).
        Assert.Contains("pause: watching the lock file /run/mjpg_streamer_paused.lock", Log, StringComparison.Ordinal);
        Assert.Equal(0, (await InNamespaceAsync(["--mount"], "touch", "/run/mjpg_streamer_paused.lock")).ExitCode);
        await WaitForInputStateAsync("released");
        Assert.Equal(0, (await InNamespaceAsync(["--mount"], "rm", "/run/mjpg_streamer_paused.lock")).ExitCode);
        await WaitForInputStateAsync("streaming");

        await StopAndUninstallAsync(before);
    }

    [NamespaceFact]
    public async Task Webcamds_raspicam_line_runs_rpicam_vid_at_10_fps_and_uninstall_restores_the_original()
    {
        var bin = Path.Combine(_folder, "bin");
        var argsLog = Path.Combine(_folder, "rpicam-vid.args");
        StandInRpicam.WriteVid(bin, argsLog);
        var before = Tree();
        await InstallAsync();

        await StartWebcamdAsync(RaspicamLine, new() { ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH") });

        var snapshot = await GetAsync("/?action=snapshot");
        Assert.Equal("200 image/jpeg", snapshot.Status);
        Assert.Equal((640, 480), JpegSize(snapshot.Body));
        var argv = string.Join('\n', File.ReadAllLines(argsLog));
        Assert.Contains("--framerate\n10\n", argv + "\n", StringComparison.Ordinal);
        Assert.Contains("--width\n640\n", argv, StringComparison.Ordinal);
        Assert.Contains("--height\n480\n", argv, StringComparison.Ordinal);

        await AssertOctoPiPageStreamAndNoCommandsAsync();
        await StopAndUninstallAsync(before);
    }

    /// <summary>What an OctoPi user sees of the server: the page, the stream as a video, and no camera controls (-n).</summary>
    private async Task AssertOctoPiPageStreamAndNoCommandsAsync()
    {
        Assert.Contains("output 0: listening on http://127.0.0.1:8080/", Log, StringComparison.Ordinal);
        Assert.Contains($"output 0: www folder {_home}/www-octopi, credentials disabled, commands disabled", Log, StringComparison.Ordinal);

        var page = await GetAsync("/");
        Assert.Equal("200 text/html", page.Status);
        Assert.Equal(IndexHtml, Encoding.UTF8.GetString(page.Body));

        // A real client reads the stream as video: 20 frames of 640x480 MJPEG (about 2 s at 10 fps).
        var probe = await InNamespaceAsync(
            "ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames", "-read_intervals", "%+#20",
            "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "default=nw=1", "http://127.0.0.1:8080/?action=stream");
        Assert.True(probe.ExitCode == 0, probe.Stderr);
        Assert.Equal(["codec_name=mjpeg", "width=640", "height=480", "nb_read_frames=20"], probe.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var stream = await GetAsync("/?action=stream", seconds: 1);
        Assert.Equal("200 multipart/x-mixed-replace;boundary=boundarydonotcross", stream.Status);
        Assert.NotEmpty(Multipart.Parse(stream.Body));

        // -n: a control (brightness) and the pause are refused.
        Assert.Equal("501 text/plain", (await GetAsync("/?action=command&dest=0&plugin=0&id=9963776&group=1&value=10")).Status);
        Assert.Equal("501 text/plain", (await GetAsync("/?action=pause")).Status);
    }

    private async Task InstallAsync()
    {
        // install.sh copies one file: the published single-file executable, not the build output's apphost.
        Assert.True(Environment.GetEnvironmentVariable("MJPG_STREAMER_EXE") is { Length: > 0 }, "set MJPG_STREAMER_EXE to the published out/release/mjpg_streamer (test.sh does)");
        // webcamd's MJPGSTREAMER_HOME, as set on OctoPi (the script's default too), below --root.
        var result = await ProgramRun.RunToolAsync(
            "env", "MJPGSTREAMER_HOME=" + HomeInRoot, "/bin/bash", Path.Combine(RepositoryFolder, "packaging", "install.sh"),
            "--root", _root, "--octopi", "--binary", ServerProcess.ExecutablePath);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(Original, File.ReadAllBytes(Path.Combine(_home, "mjpg_streamer.orig")));
        Assert.Equal(Sha256(ServerProcess.ExecutablePath), Sha256(Path.Combine(_home, "mjpg_streamer")));
    }

    private async Task StopAndUninstallAsync(string[] before)
    {
        var server = ServerPid();
        Assert.Equal(0, Signals.Kill(server, Signals.SIGTERM));
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await _webcamd!.WaitForExitAsync(cts.Token);
        }

        // The line's status is mjpg_streamer's.
        Assert.True(_webcamd.ExitCode == 0, $"exit {_webcamd.ExitCode}:\n{Log}");
        if (!_hostHadVideo0)
        {
            Assert.False(File.Exists("/dev/video0"), "/dev/video0 appeared outside the namespace");
        }

        if (!_hostHadLockFile)
        {
            Assert.False(File.Exists("/run/mjpg_streamer_paused.lock"), "the pause lock file appeared outside the namespace");
        }

        var result = await ProgramRun.RunToolAsync("/bin/bash", Path.Combine(RepositoryFolder, "packaging", "install.sh"), "--root", _root, "--uninstall");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(Original, File.ReadAllBytes(Path.Combine(_home, "mjpg_streamer")));
        Assert.True(File.GetUnixFileMode(Path.Combine(_home, "mjpg_streamer")).HasFlag(UnixFileMode.UserExecute));
        // Nothing else left behind, in OctoPi's home or elsewhere in the root.
        Assert.Equal(before, Tree());
    }

    /// <summary>Starts webcamd's line through bash -c in own-namespaces.sh and waits until it listens.</summary>
    private async Task StartWebcamdAsync(string line, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(Path.Combine(RepositoryFolder, "tests", "MjpgStreamer.Tests", "Packaging", "own-namespaces.sh"))
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            WorkingDirectory = _folder,
            ArgumentList = { "bash", "-c", line },
        };
        start.Environment["MJPGSTREAMER_HOME"] = _home;
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        _webcamd = Process.Start(start)!;
        _webcamd.ErrorDataReceived += (_, e) => Append(e.Data);
        _webcamd.OutputDataReceived += (_, e) => Append(e.Data);
        _webcamd.BeginErrorReadLine();
        _webcamd.BeginOutputReadLine();

        await Eventually.UntilAsync(
            () =>
            {
                if (_webcamd.HasExited)
                {
                    _webcamd.WaitForExit(); // the last lines of its output
                    Assert.Fail(_webcamd.ExitCode == 77
                        ? "this test needs root and network/mount namespaces (unshare): " + Log
                        : $"webcamd's line exited with {_webcamd.ExitCode} before listening:\n{Log}");
                }

                return Task.FromResult(Log.Contains("listening on http://", StringComparison.Ordinal));
            },
            () => "webcamd's line listens:\n" + Log,
            TimeSpan.FromSeconds(20));

        // The server is in a network namespace of its own, not this machine's.
        Assert.NotEqual(File.ResolveLinkTarget("/proc/self/ns/net", false)!.FullName, File.ResolveLinkTarget($"/proc/{_webcamd.Id}/ns/net", false)!.FullName);
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    private string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Runs a program in the server's network namespace (nsenter), bounded in time by ProgramRun.</summary>
    private Task<ProgramRun.Result> InNamespaceAsync(params string[] command) => InNamespaceAsync([], command);

    /// <summary>As above, also in the namespaces <paramref name="namespaces"/> names ("--mount": its /dev and /run).</summary>
    private Task<ProgramRun.Result> InNamespaceAsync(string[] namespaces, params string[] command) =>
        ProgramRun.RunToolAsync("nsenter", ["--target", _webcamd!.Id.ToString(CultureInfo.InvariantCulture), "--net", .. namespaces, "--", .. command]);

    /// <summary>Waits, bounded, until /state says input 0 is <paramref name="state"/>.</summary>
    private async Task WaitForInputStateAsync(string state)
    {
        var seen = "";
        await Eventually.UntilAsync(
            async () =>
            {
                var response = await GetAsync("/state");
                using var json = JsonDocument.Parse(response.Body);
                seen = json.RootElement.GetProperty("inputs")[0].GetProperty("state").GetString() ?? "";
                return seen == state;
            },
            () => $"input 0 is {state}; it stayed {seen}\n{Log}");
    }

    /// <summary>
    /// GET http://127.0.0.1:8080 + <paramref name="path"/> with curl in the namespace: "status content-type" and
    /// the body. With <paramref name="seconds"/> the transfer is cut after that long (for the endless stream).
    /// </summary>
    private async Task<(string Status, byte[] Body)> GetAsync(string path, int seconds = 0)
    {
        var file = Path.Combine(_folder, "download-" + Interlocked.Increment(ref _downloads).ToString(CultureInfo.InvariantCulture));
        var result = await InNamespaceAsync(
            "curl", "-sS", "-m", (seconds > 0 ? seconds : 15).ToString(CultureInfo.InvariantCulture), "-o", file,
            "-w", "%{http_code} %{content_type}", "http://127.0.0.1:8080" + path);
        // 28: the time limit, expected when the body is cut on purpose.
        Assert.True(result.ExitCode == 0 || (seconds > 0 && result.ExitCode == 28), $"curl {path}: exit {result.ExitCode} {result.Stderr}");
        return (result.Stdout, File.Exists(file) ? File.ReadAllBytes(file) : []);
    }

    /// <summary>The pid of our mjpg_streamer: the line's own process (bash execs the last command) or a descendant.</summary>
    private int ServerPid()
    {
        var executable = Path.Combine(_home, "mjpg_streamer");
        var pending = new Queue<int>([_webcamd!.Id]);
        while (pending.TryDequeue(out var pid))
        {
            try
            {
                if (File.ResolveLinkTarget($"/proc/{pid}/exe", false)?.FullName == executable)
                {
                    return pid;
                }

                foreach (var task in Directory.GetDirectories($"/proc/{pid}/task"))
                {
                    foreach (var child in File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    {
                        pending.Enqueue(int.Parse(child, CultureInfo.InvariantCulture));
                    }
                }
            }
            catch (IOException)
            {
                // gone meanwhile
            }
        }

        throw new InvalidOperationException($"no process runs {executable}:\n{Log}");
    }

    private string[] Tree() =>
        [.. Directory.EnumerateFileSystemEntries(_root, "*", SearchOption.AllDirectories).Select(p => p[_root.Length..]).Order(StringComparer.Ordinal)];

    private static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    private static (int Width, int Height) JpegSize(byte[] jpeg)
    {
        for (var i = 2; i + 9 < jpeg.Length;)
        {
            var marker = jpeg[i + 1];
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                return ((jpeg[i + 7] << 8) | jpeg[i + 8], (jpeg[i + 5] << 8) | jpeg[i + 6]);
            }

            i += 2 + ((jpeg[i + 2] << 8) | jpeg[i + 3]);
        }

        return (0, 0);
    }

    private static string RepositoryFolder
    {
        get
        {
            var dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "packaging", "install.sh")))
            {
                dir = Path.GetDirectoryName(dir);
            }

            return dir ?? throw new InvalidOperationException("packaging/install.sh not found above " + AppContext.BaseDirectory);
        }
    }

    public void Dispose()
    {
        if (_webcamd is { HasExited: false })
        {
            _webcamd.Kill(entireProcessTree: true);
            _webcamd.WaitForExit(10_000);
        }

        _webcamd?.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// A fact that needs network and mount namespaces of its own: skipped, with the reason, where `unshare --net
/// --mount` is refused (probed once, when the tests are discovered).
/// </summary>
public sealed class NamespaceFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Refusal = new(Probe);

    public NamespaceFactAttribute()
    {
        Skip = Refusal.Value;
    }

    private static string? Probe()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return "needs root for network and mount namespaces (unshare --net --mount)";
        }

        var probe = ProgramRun.RunToolAsync("unshare", "--net", "--mount", "--propagation", "private", "--", "true").GetAwaiter().GetResult();
        return probe.ExitCode == 0 ? null : "unshare --net --mount is refused here: " + probe.Stderr.Trim();
    }
}
