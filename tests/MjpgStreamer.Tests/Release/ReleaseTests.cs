using System.Security.Cryptography;
using MjpgStreamer.Tests.Infrastructure;
using MjpgStreamer.Tests.Uvc;

namespace MjpgStreamer.Tests.Release;

/// <summary>
/// The tarballs ./build-release.sh makes (test.sh builds them into out/artifacts and names the folder in
/// MJPG_STREAMER_ARTIFACTS), unpacked and run as a user would: the x64 NativeAOT executable natively, the arm64 one
/// under qemu-aarch64 against the fake camera cross-compiled for arm64 (the real V4L2 ioctls and aarch64 struct
/// layouts), and the portable build through its start script with this machine's .NET runtime. Each serves the test
/// pattern, streams the fake camera, answers a control command and releases the camera for the pause lock file.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ReleaseTests : IClassFixture<ReleaseArtifacts>
{
    private const int Brightness = 9963776;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly ReleaseArtifacts _artifacts;

    public ReleaseTests(ReleaseArtifacts artifacts)
    {
        _artifacts = artifacts;
    }

    [ReleaseTheory]
    [InlineData("linux-x64", 62)]
    [InlineData("linux-arm64", 183)]
    public void A_nativeaot_tarball_holds_the_stripped_executable_the_installer_the_unit_readme_and_licence(string flavour, int elfMachine)
    {
        var folder = _artifacts.Unpacked(flavour);
        Assert.Equal(["LICENSE", "README.md", "install.md", "install.sh", "mjpg-streamer@.service", "mjpg_streamer"], Names(folder));
        var executable = Path.Combine(folder, "mjpg_streamer");
        Assert.True(File.GetUnixFileMode(executable).HasFlag(UnixFileMode.UserExecute));
        var elf = ElfFile.Read(executable);
        Assert.Equal(elfMachine, elf.Machine);
        Assert.DoesNotContain(".symtab", elf.Sections);
        Assert.Contains(".gnu_debuglink", elf.Sections);
        Assert.Contains($"# MjpgStreamer {ReleaseArtifacts.Version} ({flavour})", File.ReadAllText(Path.Combine(folder, "README.md")), StringComparison.Ordinal);

        // The symbols: a separate tarball whose .dbg has the symbol table the executable lacks.
        var symbols = _artifacts.Unpacked(flavour + "-symbols");
        Assert.Equal(["mjpg_streamer.dbg"], Names(symbols));
        var debug = ElfFile.Read(Path.Combine(symbols, "mjpg_streamer.dbg"));
        Assert.Equal(elfMachine, debug.Machine);
        Assert.Contains(".symtab", debug.Sections);
    }

    [ReleaseFact]
    public void The_portable_tarball_holds_the_framework_dependent_build_and_its_start_script()
    {
        var folder = _artifacts.Unpacked("linux-arm-portable");
        Assert.Equal(["LICENSE", "README.md", "app", "install.md", "install.sh", "mjpg-streamer@.service", "mjpg_streamer"], Names(folder));
        Assert.Equal(
            [
                "AsyncIO.dll", "MjpgStreamer.Core.dll", "MjpgStreamer.Native.dll", "NaCl.dll", "NetMQ.dll", // NetMQ: output_zmqserver.so
                "System.ServiceModel.Duplex.dll", "System.ServiceModel.Primitives.dll", "System.ServiceModel.Security.dll", "System.ServiceModel.dll", // NetMQ's BufferManager
                "mjpg_streamer.deps.json", "mjpg_streamer.dll", "mjpg_streamer.runtimeconfig.json",
            ],
            Names(Path.Combine(folder, "app")));
        Assert.StartsWith("#!/bin/sh\n", File.ReadAllText(Path.Combine(folder, "mjpg_streamer")), StringComparison.Ordinal);
        var runtimeConfig = File.ReadAllText(Path.Combine(folder, "app", "mjpg_streamer.runtimeconfig.json"));
        Assert.Contains("\"Microsoft.AspNetCore.App\"", runtimeConfig, StringComparison.Ordinal);
        // The measured thread-pool setting travels with the portable build too.
        Assert.Contains("\"System.Threading.ThreadPool.UnfairSemaphoreSpinLimit\": 0", runtimeConfig, StringComparison.Ordinal);
        // The README tells a 32-bit Raspberry Pi OS user exactly which runtime to install, and how.
        var readme = File.ReadAllText(Path.Combine(folder, "README.md"));
        Assert.Contains("--channel 10.0 --runtime aspnetcore --install-dir /opt/dotnet", readme, StringComparison.Ordinal);
    }

    [ReleaseFact]
    public void Sha256sums_match_every_tarball()
    {
        var lines = File.ReadAllLines(Path.Combine(ReleaseArtifacts.Folder, "SHA256SUMS"));
        Assert.Equal(5, lines.Length);
        foreach (var line in lines)
        {
            var (hash, name) = (line[..64], line[66..]);
            using var stream = File.OpenRead(Path.Combine(ReleaseArtifacts.Folder, name));
            Assert.Equal(hash, Convert.ToHexStringLower(SHA256.HashData(stream)));
        }
    }

    [ReleaseFact]
    public Task The_x64_executable_serves_the_test_pattern_and_the_fake_camera() =>
        ServesAsync(new Build(Path.Combine(_artifacts.Unpacked("linux-x64"), "mjpg_streamer"), null, FakeCamera.LibraryPath));

    [QemuFact]
    public Task The_arm64_executable_serves_the_test_pattern_and_the_arm64_fake_camera_under_qemu() =>
        ServesAsync(new Build(Path.Combine(_artifacts.Unpacked("linux-arm64"), "mjpg_streamer"), ["qemu-aarch64"], ReleaseArtifacts.Arm64FakeCamera));

    [ReleaseFact]
    public Task The_portable_build_serves_the_test_pattern_and_the_fake_camera_through_its_start_script() =>
        ServesAsync(new Build(Path.Combine(_artifacts.Unpacked("linux-arm-portable"), "mjpg_streamer"), null, FakeCamera.LibraryPath));

    [ReleaseFact]
    public async Task Install_from_the_portable_tarball_puts_the_application_in_lib_and_a_start_script_that_finds_it()
    {
        var folder = _artifacts.Unpacked("linux-arm-portable");
        var root = Directory.CreateTempSubdirectory("mjpg-portable-root-").FullName;
        try
        {
            var install = await ProgramRun.RunToolAsync("/bin/bash", Path.Combine(folder, "install.sh"), "--root", root);
            Assert.True(install.ExitCode == 0, install.Stderr);
            var script = File.ReadAllText(Path.Combine(root, "usr/local/bin/mjpg_streamer"));
            Assert.Contains("\napp_dir=\"/usr/local/lib/mjpg-streamer\"\n", script, StringComparison.Ordinal);
            Assert.Equal(Names(Path.Combine(folder, "app")), Names(Path.Combine(root, "usr/local/lib/mjpg-streamer")));

            var uninstall = await ProgramRun.RunToolAsync("/bin/bash", Path.Combine(folder, "install.sh"), "--root", root, "--uninstall");
            Assert.True(uninstall.ExitCode == 0, uninstall.Stderr);
            Assert.Empty(Directory.EnumerateFileSystemEntries(root));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task ServesAsync(Build build)
    {
        // The test pattern: a snapshot and a stream ffprobe reads.
        await using (var server = await StartAsync(build, ["-i", "input_testpattern.so -r 320x240 -f 15", "-o", "output_http.so -p 0 -l 127.0.0.1"]))
        {
            var snapshot = await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot");
            Assert.Equal((200, "image/jpeg"), (snapshot.Status, snapshot.Header("Content-Type")));
            Assert.Equal([0xFF, 0xD8], snapshot.Body[..2]);
            await AssertStreamAsync(server, "width=320\nheight=240");
            Assert.Equal(0, await server.StopAsync());
        }

        // The fake camera through the V4L2 ioctls: stream, a control command, the pause.
        using var camera = new FakeCamera();
        var environment = camera.Environment();
        environment["MJPG_STREAMER_V4L2_LIB"] = build.FakeCameraLibrary;
        var lockFile = Path.Combine(camera.Folder, "paused.lock");
        await using var cameraServer = await StartAsync(build, ["--pause-file", lockFile, "-i", $"input_uvc.so -d {camera.Device} -r 640x480 -f 15", "-o", "output_http.so -p 0 -l 127.0.0.1"], environment);
        await AssertStreamAsync(cameraServer, "width=640\nheight=480");
        await using var client = await MjpegClient.ConnectAsync(cameraServer.Port);
        var live = await client.NextMatchingAsync(UvcCameraTests.IsCameraFrame, Bound);
        Assert.Equal("640x480", UvcCameraTests.Comment(live)["size"]);
        Assert.Equal(1, camera.OpenDescriptors(cameraServer.Pid));

        var command = await RawHttp.GetResponseAsync(cameraServer.Port, $"/?action=command&dest=0&plugin=0&id={Brightness}&group=1&value=25");
        Assert.Equal($"{Brightness}: 0", command.BodyText);
        await client.NextMatchingAsync(p => UvcCameraTests.IsCameraFrame(p) && UvcCameraTests.Comment(p)["brightness"] == "25", Bound);
        var controls = (await ServerState.GetJsonAsync(cameraServer, "/input.json")).GetProperty("controls").EnumerateArray();
        Assert.Equal("25", controls.Single(c => c.GetProperty("name").GetString() == "Brightness").GetProperty("value").GetString());

        // The pause: the lock file closes the device, the client stays connected, its removal resumes the camera.
        await File.WriteAllTextAsync(lockFile, "");
        await Eventually.UntilAsync(() => camera.OpenDescriptors(cameraServer.Pid) == 0, "the device is closed", Bound);
        await ServerState.WaitForAsync(cameraServer, "released", "lock file", wait: Bound);
        File.Delete(lockFile);
        await ServerState.WaitForAsync(cameraServer, "streaming", wait: Bound);
        var resumed = await client.NextMatchingAsync(p => UvcCameraTests.IsCameraFrame(p) && p.Headers["X-Timestamp"] != live.Headers["X-Timestamp"], Bound);
        Assert.Equal("25", UvcCameraTests.Comment(resumed)["brightness"]);
        Assert.Equal(1, camera.OpenDescriptors(cameraServer.Pid));
        await client.DisposeAsync();
        Assert.Equal(0, await cameraServer.StopAsync());
    }

    private static Task<ServerProcess> StartAsync(Build build, string[] args, Dictionary<string, string>? environment = null) =>
        ServerProcess.StartAsync(args, environment: environment, launcher: build.Launcher, executable: build.Executable);

    private static async Task AssertStreamAsync(ServerProcess server, string size)
    {
        var probe = await ProgramRun.RunToolAsync("ffprobe", "-v", "error", "-rw_timeout", "20000000", "-show_entries", "stream=codec_name,width,height",
            "-of", "default=nw=1", $"http://127.0.0.1:{server.Port}/?action=stream");
        Assert.True(probe.ExitCode == 0, probe.Stderr);
        Assert.Equal($"codec_name=mjpeg\n{size}\n", probe.Stdout);
    }

    private static string[] Names(string folder) =>
        [.. Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    private sealed record Build(string Executable, IReadOnlyList<string>? Launcher, string FakeCameraLibrary);
}
