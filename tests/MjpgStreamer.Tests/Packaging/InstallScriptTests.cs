using System.Text.RegularExpressions;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Packaging;

/// <summary>
/// Runs the real packaging/install.sh with --root into a temp folder: nothing outside that folder changes
/// (no apt-get, useradd or systemctl run under --root), so these tests need no root.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class InstallScriptTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mjpg-install-").FullName;
    private readonly string _root;
    private readonly string _binary;

    public InstallScriptTests()
    {
        _root = Path.Combine(_folder, "root");
        Directory.CreateDirectory(_root);
        _binary = Path.Combine(_folder, "mjpg_streamer");
        File.WriteAllText(_binary, "#!/bin/sh\necho fake mjpg_streamer\n");
        File.SetUnixFileMode(_binary, (UnixFileMode)0b111_101_101);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string PackagingFolder
    {
        get
        {
            var dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "packaging", "install.sh")))
            {
                dir = Path.GetDirectoryName(dir);
            }

            return Path.Combine(dir ?? throw new InvalidOperationException("packaging/install.sh not found above " + AppContext.BaseDirectory), "packaging");
        }
    }

    private Task<ProgramRun.Result> InstallAsync(params string[] args) =>
        ProgramRun.RunToolAsync("/bin/bash", [Path.Combine(PackagingFolder, "install.sh"), "--root", _root, .. args]);

    private async Task InstalledAsync(params string[] args)
    {
        var result = await InstallAsync(["--binary", _binary, .. args]);
        Assert.True(result.ExitCode == 0, result.Stderr);
    }

    private string InRoot(string path) => Path.Combine(_root, path.TrimStart('/'));

    private string[] Tree() =>
        [.. Directory.EnumerateFileSystemEntries(_root, "*", SearchOption.AllDirectories).Select(p => p[_root.Length..]).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Install_puts_binary_unit_example_and_manifest_in_place()
    {
        await InstalledAsync();

        Assert.Equal("#!/bin/sh\necho fake mjpg_streamer\n", File.ReadAllText(InRoot("/usr/local/bin/mjpg_streamer")));
        Assert.True(File.GetUnixFileMode(InRoot("/usr/local/bin/mjpg_streamer")).HasFlag(UnixFileMode.OtherExecute));
        Assert.True(File.Exists(InRoot("/etc/systemd/system/mjpg-streamer@.service")));
        Assert.True(File.Exists(InRoot("/etc/mjpg-streamer/example.conf.sample")));
        var manifest = File.ReadAllLines(InRoot("/var/lib/mjpg-streamer/installed.files"));
        Assert.Contains("file /usr/local/bin/mjpg_streamer", manifest);
        Assert.Contains("user mjpg-streamer", manifest);
    }

    [Fact]
    public async Task Prefix_moves_the_binary_and_the_unit_follows()
    {
        await InstalledAsync("--prefix", "/opt/mjpg");

        Assert.True(File.Exists(InRoot("/opt/mjpg/bin/mjpg_streamer")));
        Assert.False(File.Exists(InRoot("/usr/local/bin/mjpg_streamer")));
        Assert.Contains("ExecStart=/opt/mjpg/bin/mjpg_streamer ", File.ReadAllText(InRoot("/etc/systemd/system/mjpg-streamer@.service")));
    }

    [Fact]
    public void Unit_passes_input_and_output_as_one_argument_each()
    {
        // systemd.service(5), "Command lines": ${FOO} as a word of its own becomes exactly one argument with its
        // whitespace kept; $FOO as a separate word is split at whitespace. -i/-o must each stay one argument.
        var unit = File.ReadAllText(Path.Combine(PackagingFolder, "mjpg-streamer@.service"));
        var execStart = Assert.Single(unit.Split('\n'), l => l.StartsWith("ExecStart=", StringComparison.Ordinal));
        Assert.Equal("ExecStart=/usr/local/bin/mjpg_streamer -i ${INPUT} -o ${OUTPUT} --pause-file /run/mjpg-streamer/%i.lock", execStart);
        Assert.Contains("EnvironmentFile=/etc/mjpg-streamer/%i.conf\n", unit);
        Assert.Contains("Type=notify\n", unit);
        Assert.Contains("WatchdogSec=30\n", unit);
        Assert.Contains("RuntimeDirectoryPreserve=yes\n", unit);
    }

    [Fact]
    public async Task Systemd_analyze_verify_finds_no_problem_in_the_installed_unit()
    {
        await InstalledAsync();
        await InstalledAsync("--add-camera", "/dev/video0");

        Assert.Empty(await VerifyProblemsAsync("mjpg-streamer@cam1.service"));
    }

    [Fact]
    public async Task Systemd_analyze_verify_reports_a_broken_unit()
    {
        await InstalledAsync();
        var unit = InRoot("/etc/systemd/system/mjpg-streamer@.service");
        File.WriteAllText(unit, File.ReadAllText(unit).Replace("/usr/local/bin/mjpg_streamer", "/usr/local/bin/missing", StringComparison.Ordinal));

        Assert.Contains(await VerifyProblemsAsync("mjpg-streamer@cam1.service"), l => l.Contains("/usr/local/bin/missing", StringComparison.Ordinal));
    }

    /// <summary>What systemd-analyze verify says, without the targets a bare root lacks (sysinit.target …).</summary>
    private async Task<string[]> VerifyProblemsAsync(string unit)
    {
        var result = await ProgramRun.RunToolAsync("systemd-analyze", "verify", "--root=" + _root, unit);
        return [.. (result.Stdout + result.Stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !MissingTarget().IsMatch(l))];
    }

    [GeneratedRegex(@"Unit [a-z.-]+\.target not found\.$")]
    private static partial Regex MissingTarget();

    [Fact]
    public async Task Add_camera_twice_gives_the_next_names_and_ports_and_the_stable_device_name()
    {
        await InstalledAsync();
        Directory.CreateDirectory(InRoot("/dev/v4l/by-id"));
        File.WriteAllText(InRoot("/dev/video0"), "");
        File.WriteAllText(InRoot("/dev/video2"), "");
        File.CreateSymbolicLink(InRoot("/dev/v4l/by-id/usb-Acme_Cam-video-index0"), "../../video2");

        await InstalledAsync("--add-camera");
        await InstalledAsync("--add-camera");

        var cam1 = File.ReadAllText(InRoot("/etc/mjpg-streamer/cam1.conf"));
        var cam2 = File.ReadAllText(InRoot("/etc/mjpg-streamer/cam2.conf"));
        Assert.Contains("INPUT=\"input_uvc.so -d /dev/video0 -r 1280x720 -f 15\"\n", cam1);
        Assert.Contains("OUTPUT=\"output_http.so -p 8080 -l 127.0.0.1\"\n", cam1);
        Assert.Contains("INPUT=\"input_uvc.so -d /dev/v4l/by-id/usb-Acme_Cam-video-index0 -r 1280x720 -f 15\"\n", cam2);
        Assert.Contains("OUTPUT=\"output_http.so -p 8081 -l 127.0.0.1\"\n", cam2);
    }

    [Fact]
    public async Task Octopi_keeps_the_original_and_uninstall_restores_it()
    {
        var home = InRoot("/opt/mjpg-streamer");
        Directory.CreateDirectory(home);
        File.WriteAllText(Path.Combine(home, "mjpg_streamer"), "original");
        File.WriteAllText(Path.Combine(home, "input_uvc.so"), "plugin");
        var before = Tree();

        await InstalledAsync("--octopi");
        Assert.Equal("original", File.ReadAllText(Path.Combine(home, "mjpg_streamer.orig")));
        Assert.Equal(File.ReadAllText(_binary), File.ReadAllText(Path.Combine(home, "mjpg_streamer")));

        var result = await InstallAsync("--uninstall");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("original", File.ReadAllText(Path.Combine(home, "mjpg_streamer")));
        Assert.Equal(before, Tree());
    }

    [Fact]
    public async Task Uninstall_leaves_nothing_behind()
    {
        Directory.CreateDirectory(InRoot("/etc/ssh"));
        File.WriteAllText(InRoot("/etc/ssh/keep"), "not ours");
        var before = Tree();

        await InstalledAsync();
        await InstalledAsync("--add-camera", "/dev/video0");
        Assert.NotEqual(before, Tree());
        var result = await InstallAsync("--uninstall");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(before, Tree());
    }

    [Fact]
    public async Task Unknown_option_exits_2_with_the_reason_and_the_usage_hint()
    {
        var result = await InstallAsync("--frobnicate");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(["install.sh: unknown option '--frobnicate'", "Try 'install.sh --help'."], result.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Empty(Tree());
    }

    [Fact]
    public async Task Help_prints_the_usage_and_changes_nothing()
    {
        var result = await InstallAsync("-h");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("Usage: install.sh ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("--add-camera", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(Tree());
    }
}
