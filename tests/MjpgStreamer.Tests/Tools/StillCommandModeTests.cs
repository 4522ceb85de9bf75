using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Tools;

/// <summary>
/// "mjpg_streamer still OUTPUT --command ...": pause, a fake still program (a shell script), always resume. The stub
/// /state says "released" while the pause file exists and "streaming" otherwise, and remembers what it said.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class StillCommandModeTests : IDisposable
{
    private const string Old = "the previous snapshot";

    private readonly string _folder = Directory.CreateTempSubdirectory("mjpg-still-cmd-").FullName;
    private readonly string _tools = Directory.CreateTempSubdirectory("mjpg-still-tools-").FullName;
    private readonly ConcurrentQueue<string> _answered = new();
    private string? _serverUrl;

    public StillCommandModeTests()
    {
        Output = Path.Combine(_folder, "snap.jpg");
        LockFile = Path.Combine(_tools, "paused.lock");
        JpegFile = Path.Combine(_tools, "source.jpg");
        File.WriteAllBytes(JpegFile, StillCommandTests.Jpeg);
    }

    private string Output { get; }

    private string LockFile { get; }

    private string JpegFile { get; }

    private string Marker(string name) => Path.Combine(_tools, name);

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        Directory.Delete(_tools, recursive: true);
    }

    [Fact]
    public async Task A_program_writing_to_the_placeholder_file_runs_while_paused_and_the_camera_is_resumed()
    {
        var tool = Script("fake-still", $"""
            [ -e "{LockFile}" ] && echo paused > "{Marker("seen")}"
            [ "$1" = "-o" ] && [ "$3" = "--immediate" ] || exit 9
            echo "capturing" >&2
            cp "{JpegFile}" "$2"
            """);
        await File.WriteAllTextAsync(Output, Old);
        await using var server = PauseAwareServer();

        var run = await Still("--command", $"{tool} -o {{}} --immediate", "--timeout", "5");

        ToolRunAssert.SilentSuccess(run);
        Assert.Equal(StillCommandTests.Jpeg, await File.ReadAllBytesAsync(Output));
        Assert.Equal("paused\n", await File.ReadAllTextAsync(Marker("seen")));
        AssertResumed();
        AssertOnlyOutputLeft(Output);
    }

    [Fact]
    public async Task Without_a_placeholder_the_programs_stdout_is_the_still_and_quotes_group_words()
    {
        var tool = Script("stdout-still", """
            [ "$1" = "two words" ] || exit 9
            cat "$2"
            """);
        await using var server = PauseAwareServer();

        var run = await Still("--command", $"{tool} \"two words\" {JpegFile}", "--timeout", "5");

        ToolRunAssert.SilentSuccess(run);
        Assert.Equal(StillCommandTests.Jpeg, await File.ReadAllBytesAsync(Output));
        AssertResumed();
        AssertOnlyOutputLeft(Output);
    }

    [Fact]
    public async Task A_failing_program_gives_its_last_stderr_line_and_the_camera_is_resumed()
    {
        var tool = Script("failing-still", """
            echo "[0:01:02] INFO Camera camera_manager.cpp:330 libcamera v0.3.0" >&2
            echo "ERROR: *** no cameras available ***" >&2
            echo "" >&2
            exit 3
            """);
        await File.WriteAllTextAsync(Output, Old);
        await using var server = PauseAwareServer();

        var run = await Still("--command", $"{tool} -o {{}}", "--timeout", "5");

        var line = ToolRunAssert.OneLineFailure(run, "still");
        Assert.Equal("mjpg_streamer still: failing-still exited with code 3: ERROR: *** no cameras available ***", line);
        Assert.Equal(Old, await File.ReadAllTextAsync(Output));
        AssertResumed();
        AssertOnlyOutputLeft(Output);
    }

    [Theory]
    [InlineData("printf 'not a jpeg' > \"$1\"", "{}", "bad-still wrote 10 bytes that are not a JPEG")]
    [InlineData("exit 0", "{}", "bad-still exited 0 but wrote no file where {} pointed")]
    [InlineData("exit 0", "", "bad-still wrote nothing to stdout (put {} in --command where the program expects the file name)")]
    [InlineData("printf 'not a jpeg'", "", "bad-still wrote 10 bytes to stdout that are not a JPEG")]
    public async Task A_program_that_gives_no_jpeg_fails_and_the_camera_is_resumed(string body, string argument, string expected)
    {
        var tool = Script("bad-still", body);
        await using var server = PauseAwareServer();

        var run = await Still("--command", $"{tool} {argument}", "--timeout", "5");

        var line = ToolRunAssert.OneLineFailure(run, "still");
        Assert.Equal($"mjpg_streamer still: {expected}", line);
        AssertResumed();
        AssertOnlyOutputLeft();
    }

    [Fact]
    public async Task A_program_that_cannot_start_fails_and_the_camera_is_resumed()
    {
        var missing = Path.Combine(_tools, "no-such-still");
        await using var server = PauseAwareServer();

        var run = await Still("--command", $"{missing} -o {{}}", "--timeout", "5");

        var line = ToolRunAssert.OneLineFailure(run, "still");
        Assert.Equal($"mjpg_streamer still: cannot start {missing}: No such file or directory", line);
        AssertResumed();
        AssertOnlyOutputLeft();
    }

    [Fact]
    public async Task A_hanging_program_is_killed_with_what_it_started_at_the_time_limit_and_the_camera_is_resumed()
    {
        var tool = Script("hanging-still", $"""
            sleep 60 &
            echo $! > "{Marker("child.pid")}"
            echo "waiting for the sensor" >&2
            wait
            """);
        await File.WriteAllTextAsync(Output, Old);
        await using var server = PauseAwareServer();

        var run = await Still("--command", $"{tool} -o {{}}", "--timeout", "1");

        var line = ToolRunAssert.OneLineFailure(run, "still");
        Assert.Equal("mjpg_streamer still: timed out after 1 s: hanging-still did not finish and was killed: waiting for the sensor", line);
        Assert.Equal(Old, await File.ReadAllTextAsync(Output));
        AssertGone(int.Parse(await File.ReadAllTextAsync(Marker("child.pid")), CultureInfo.InvariantCulture));
        AssertResumed();
        AssertOnlyOutputLeft(Output);
    }

    [Fact]
    public async Task Sigterm_during_the_program_kills_it_resumes_the_camera_and_exits_1()
    {
        var tool = Script("slow-still", $"""
            sleep 60 &
            echo $! > "{Marker("child.pid")}"
            wait
            """);
        await using var server = PauseAwareServer();
        var start = new ProcessStartInfo(ServerProcess.ExecutablePath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in (string[])["still", Output, "--command", $"{tool} -o {{}}", "--pause-file", LockFile, "--url", server.BaseUrl, "--timeout", "20"])
        {
            start.ArgumentList.Add(arg);
        }

        using var helper = Process.Start(start)!;
        var stdout = helper.StandardOutput.ReadToEndAsync();
        var stderr = helper.StandardError.ReadToEndAsync();
        try
        {
            await Eventually.UntilAsync(() => File.Exists(Marker("child.pid")) && new FileInfo(Marker("child.pid")).Length > 0, "the still command wrote its child's pid");
            Assert.True(File.Exists(LockFile));
            var kill = await ProgramRun.RunToolAsync("kill", "-TERM", helper.Id.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(0, kill.ExitCode);
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await helper.WaitForExitAsync(limit.Token);
        }
        finally
        {
            if (!helper.HasExited)
            {
                helper.Kill(entireProcessTree: true);
            }
        }

        Assert.Equal(1, helper.ExitCode);
        Assert.Empty(await stdout);
        Assert.Equal("mjpg_streamer still: interrupted by SIGTERM\n", await stderr);
        AssertGone(int.Parse(await File.ReadAllTextAsync(Marker("child.pid")), CultureInfo.InvariantCulture));
        AssertResumed();
        AssertOnlyOutputLeft();
    }

    [Fact]
    public async Task A_pause_that_times_out_fails_without_running_the_program_and_removes_the_pause_file()
    {
        var tool = Script("never-run", $"touch \"{Marker("ran")}\"");
        await using var server = new StubStateServer(_ => StubAnswer.Json(StubStateServer.StateJson(("input_uvc.so", "streaming", null))));

        var run = await ProgramRun.RunAsync("still", Output, "--command", $"{tool} {{}}", "--pause-file", LockFile, "--url", server.BaseUrl, "--timeout", "2");

        var line = ToolRunAssert.OneLineFailure(run, "still");
        Assert.StartsWith("mjpg_streamer still: pause failed: timed out after 2 s, not released: input 0 (input_uvc.so) is streaming", line, StringComparison.Ordinal);
        Assert.False(File.Exists(Marker("ran")));
        Assert.False(File.Exists(LockFile));
        AssertOnlyOutputLeft();
    }

    [Fact]
    public async Task A_resume_that_times_out_is_a_failure_and_the_still_is_not_written()
    {
        var tool = Script("fake-still", $"cp \"{JpegFile}\" \"$1\"");
        await using var server = new StubStateServer(_ => StubAnswer.Json(StubStateServer.StateJson(("input_uvc.so", "released", null))));

        // 3 s: the still program must finish within the budget even on a loaded machine; the resume never can.
        var run = await ProgramRun.RunAsync("still", Output, "--command", $"{tool} {{}}", "--pause-file", LockFile, "--url", server.BaseUrl, "--timeout", "3");

        var line = ToolRunAssert.OneLineFailure(run, "still");
        Assert.StartsWith("mjpg_streamer still: fake-still took the still, but resume failed: timed out after ", line, StringComparison.Ordinal);
        Assert.Contains("not streaming: input 0 (input_uvc.so) is released", line, StringComparison.Ordinal);
        Assert.False(File.Exists(LockFile));
        AssertOnlyOutputLeft();
    }

    [Fact]
    public async Task Octolapse_still_with_a_command_writes_the_snapshot_path()
    {
        var tool = Script("fake-still", $"cp \"{JpegFile}\" \"$2\"");
        await using var server = PauseAwareServer();
        var snapshots = Path.Combine(_folder, "new", "camera");
        var path = Path.Combine(snapshots, "print000003.jpg");

        var run = await ProgramRun.RunAsync(
            "octolapse-still", "--url", server.BaseUrl, "--pause-file", LockFile, "--command", $"{tool} -o {{}}", "--timeout", "5",
            "3", "0.125", _folder, snapshots, "print000003.jpg", path, "Pi");

        ToolRunAssert.SilentSuccess(run);
        Assert.Equal(StillCommandTests.Jpeg, await File.ReadAllBytesAsync(path));
        Assert.Equal([path], Directory.GetFiles(snapshots));
        AssertResumed();
    }

    private Task<ProgramRun.Result> Still(params string[] options) =>
        ProgramRun.RunAsync(["still", Output, "--pause-file", LockFile, "--url", _serverUrl!, .. options]);

    private StubStateServer PauseAwareServer()
    {
        var server = new StubStateServer(request =>
        {
            if (request.Path != "/state")
            {
                return StubAnswer.NotFound;
            }

            var state = File.Exists(LockFile) ? "released" : "streaming";
            _answered.Enqueue(state);
            return StubAnswer.Json(StubStateServer.StateJson(("input_uvc.so", state, null)));
        });
        _serverUrl = server.BaseUrl;
        return server;
    }

    /// <summary>The pause file is gone and the helper waited for "streaming" after having seen "released".</summary>
    private void AssertResumed()
    {
        Assert.False(File.Exists(LockFile));
        var answered = _answered.ToArray();
        Assert.Contains("released", answered);
        Assert.Equal("streaming", answered[^1]);
        Assert.True(Array.IndexOf(answered, "released") < Array.LastIndexOf(answered, "streaming"));
    }

    /// <summary>The output folder holds exactly these files: no temporary file left behind.</summary>
    private void AssertOnlyOutputLeft(params string[] files) =>
        Assert.Equal(files.Order(), Directory.GetFiles(_folder).Order());

    private string Script(string name, string body)
    {
        var path = Path.Combine(_tools, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static void AssertGone(int pid)
    {
        // A zombie waiting for its reaper counts as gone.
        var stat = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat";
        Assert.True(!File.Exists(stat) || File.ReadAllText(stat).Split(") ")[1].StartsWith('Z'), $"process {pid} still runs");
    }
}
