using System.Net;
using System.Net.Sockets;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Tools;

/// <summary>
/// "mjpg_streamer pause/resume" as Octolapse's snapshot scripts run them: the real executable against a stub /state
/// server, with the pause file in a temporary folder.
/// </summary>
public sealed class PauseCommandTests : IDisposable
{
    private const string Uvc = "input_uvc.so";

    private readonly string _folder = Directory.CreateTempSubdirectory("mjpg-pause-").FullName;

    public PauseCommandTests()
    {
        LockFile = Path.Combine(_folder, "paused.lock");
    }

    private string LockFile { get; }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Pause_returns_silently_once_every_input_is_released_and_leaves_the_file()
    {
        await using var server = new StubStateServer(_ => StubAnswer.Json(File.Exists(LockFile)
            ? StubStateServer.StateJson((Uvc, "released", null), ("input_file.so", "released", null))
            : StubStateServer.StateJson((Uvc, "streaming", null), ("input_file.so", "paused", null))));

        var run = await ProgramRun.RunAsync("pause", "--pause-file", LockFile, "--url", server.BaseUrl, "--timeout", "5");

        AssertSilentSuccess(run);
        Assert.True(File.Exists(LockFile));
        Assert.All(server.Requests, r => Assert.Equal("/state", r.Path));
    }

    [Fact]
    public async Task Pause_keeps_an_existing_file_as_it_is()
    {
        await File.WriteAllTextAsync(LockFile, "someone else's pause");
        await using var server = new StubStateServer(_ => StubAnswer.Json(StubStateServer.StateJson((Uvc, "released", null))));

        var run = await ProgramRun.RunAsync("pause", $"--pause-file={LockFile}", $"--url={server.BaseUrl}");

        AssertSilentSuccess(run);
        Assert.Equal("someone else's pause", await File.ReadAllTextAsync(LockFile));
    }

    [Fact]
    public async Task Resume_removes_the_file_and_returns_silently_once_every_input_streams()
    {
        await File.WriteAllTextAsync(LockFile, "");
        await using var server = new StubStateServer(_ => StubAnswer.Json(StubStateServer.StateJson(
            (Uvc, File.Exists(LockFile) ? "released" : "streaming", null))));

        var run = await ProgramRun.RunAsync("resume", "--pause-file", LockFile, "--url", server.BaseUrl, "--timeout", "5");

        AssertSilentSuccess(run);
        Assert.False(File.Exists(LockFile));
        Assert.NotEmpty(server.Requests);
    }

    [Fact]
    public async Task Resume_without_a_pause_file_is_fine()
    {
        await using var server = new StubStateServer(_ => StubAnswer.Json(StubStateServer.StateJson((Uvc, "streaming", null))));

        var run = await ProgramRun.RunAsync("resume", "--pause-file", LockFile, "--url", server.BaseUrl);

        AssertSilentSuccess(run);
    }

    [Theory]
    [InlineData("sub/")]
    [InlineData("sub")]
    [InlineData("sub/?action=stream")]
    public async Task A_base_url_with_a_path_asks_state_below_it(string path)
    {
        await using var server = new StubStateServer(request => request.Path == "/sub/state"
            ? StubAnswer.Json(StubStateServer.StateJson((Uvc, "released", null)))
            : StubAnswer.NotFound);

        var run = await ProgramRun.RunAsync("pause", "--pause-file", LockFile, "--url", server.BaseUrl + path, "--timeout", "5");

        AssertSilentSuccess(run);
        Assert.All(server.Requests, r => Assert.Equal("/sub/state", r.Path));
    }

    [Fact]
    public async Task User_and_password_in_the_url_become_basic_authorization()
    {
        // "u:p@ss" percent-encoded in the URL; base64("u:p@ss") = "dTpwQHNz".
        await using var server = new StubStateServer(request => request.Authorization == "Basic dTpwQHNz"
            ? StubAnswer.Json(StubStateServer.StateJson((Uvc, "released", null)))
            : StubAnswer.Unauthorized);

        var run = await ProgramRun.RunAsync("pause", "--pause-file", LockFile, "--url", $"http://u:p%40ss@127.0.0.1:{server.Port}/", "--timeout", "5");

        AssertSilentSuccess(run);
        Assert.Equal("Basic dTpwQHNz", Assert.Single(server.Requests).Authorization);
    }

    [Theory]
    [InlineData("", "needs a user name and password (401 Unauthorized)")]
    [InlineData("x:wrong@", "refused the user name and password given in --url (401 Unauthorized)")]
    public async Task Unauthorized_fails_with_one_line_and_removes_the_file(string credentials, string expected)
    {
        await using var server = new StubStateServer(_ => StubAnswer.Unauthorized);

        var run = await ProgramRun.RunAsync("pause", "--pause-file", LockFile, "--url", $"http://{credentials}127.0.0.1:{server.Port}/", "--timeout", "5");

        var line = AssertOneLineFailure(run, "pause");
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", line, StringComparison.Ordinal);
        Assert.False(File.Exists(LockFile));
    }

    [Fact]
    public async Task Pause_timeout_names_the_inputs_not_released_and_removes_its_file()
    {
        await using var server = new StubStateServer(_ => StubAnswer.Json(StubStateServer.StateJson(
            (Uvc, "released", null), ("input_file.so", "paused", null), ("input_http.so", "no_signal", "connection refused"))));

        var run = await ProgramRun.RunAsync("pause", "--pause-file", LockFile, "--url", server.BaseUrl, "--timeout", "2");

        var line = AssertOneLineFailure(run, "pause");
        Assert.Contains("timed out after 2 s", line, StringComparison.Ordinal);
        Assert.Contains("input 1 (input_file.so) is paused", line, StringComparison.Ordinal);
        Assert.Contains("input 2 (input_http.so) is no_signal: connection refused", line, StringComparison.Ordinal);
        Assert.DoesNotContain("input 0", line, StringComparison.Ordinal);
        Assert.False(File.Exists(LockFile));
    }

    [Fact]
    public async Task Pause_timeout_when_nothing_reacts_asks_whether_the_server_watches_that_file()
    {
        await using var server = new StubStateServer(_ => StubAnswer.Json(StubStateServer.StateJson((Uvc, "streaming", null))));

        var run = await ProgramRun.RunAsync("pause", "--pause-file", LockFile, "--url", server.BaseUrl, "--timeout", "2");

        var line = AssertOneLineFailure(run, "pause");
        Assert.Contains("input 0 (input_uvc.so) is streaming", line, StringComparison.Ordinal);
        Assert.Contains($"does the server watch --pause-file {LockFile}?", line, StringComparison.Ordinal);
        Assert.False(File.Exists(LockFile));
    }

    [Fact]
    public async Task Pause_timeout_leaves_a_file_that_existed_before()
    {
        await File.WriteAllTextAsync(LockFile, "");
        await using var server = new StubStateServer(_ => StubAnswer.Json(StubStateServer.StateJson((Uvc, "paused", null))));

        var run = await ProgramRun.RunAsync("pause", "--pause-file", LockFile, "--url", server.BaseUrl, "--timeout", "2");

        AssertOneLineFailure(run, "pause");
        Assert.True(File.Exists(LockFile));
    }

    [Fact]
    public async Task Resume_timeout_names_the_inputs_still_not_streaming_with_why()
    {
        await File.WriteAllTextAsync(LockFile, "");
        await using var server = new StubStateServer(_ => StubAnswer.Json(StubStateServer.StateJson(
            (Uvc, "paused", null, "http"), ("input_file.so", "streaming", null, null), ("input_uvc.so", "no_signal", "/dev/video2 is gone", null))));

        var run = await ProgramRun.RunAsync("resume", "--pause-file", LockFile, "--url", server.BaseUrl, "--timeout", "2");

        var line = AssertOneLineFailure(run, "resume");
        Assert.Contains("not streaming", line, StringComparison.Ordinal);
        Assert.Contains("input 0 (input_uvc.so) is paused (pause source: http)", line, StringComparison.Ordinal);
        Assert.Contains("input 2 (input_uvc.so) is no_signal: /dev/video2 is gone", line, StringComparison.Ordinal);
        Assert.DoesNotContain("input 1", line, StringComparison.Ordinal);
        Assert.False(File.Exists(LockFile));
    }

    [Fact]
    public async Task An_unreachable_server_fails_at_once_with_one_line_and_removes_the_file()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
        }

        var run = await ProgramRun.RunAsync("pause", "--pause-file", LockFile, "--url", $"http://127.0.0.1:{port}/", "--timeout", "20");

        var line = AssertOneLineFailure(run, "pause");
        Assert.Contains($"cannot get http://127.0.0.1:{port}/state (Connection refused)", line, StringComparison.Ordinal);
        Assert.False(File.Exists(LockFile));
    }

    [Theory]
    [InlineData(200, "this is not JSON", "did not answer valid JSON")]
    [InlineData(200, "{\"outputs\": []}", "without an \"inputs\" list")]
    [InlineData(200, "{\"inputs\": [{\"id\": 0}]}", "an input without a \"state\"")]
    [InlineData(404, "404: Not Found!", "answered 404 Not Found; is --url the server's base address")]
    [InlineData(500, "oops", "answered 500 Internal Server Error")]
    public async Task A_wrong_answer_fails_with_one_line_and_removes_the_file(int status, string body, string expected)
    {
        await using var server = new StubStateServer(_ => new StubAnswer(status, status switch
        {
            200 => "OK",
            404 => "Not Found",
            _ => "Internal Server Error",
        }, body));

        var run = await ProgramRun.RunAsync("pause", "--pause-file", LockFile, "--url", server.BaseUrl, "--timeout", "20");

        var line = AssertOneLineFailure(run, "pause");
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.False(File.Exists(LockFile));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task An_unwritable_pause_file_folder_fails_with_the_two_fixes()
    {
        // The folder is root's and not writable by others, as /run is; the command runs as an ordinary user.
        var folder = Path.Combine(_folder, "run");
        Directory.CreateDirectory(folder);
        var lockFile = Path.Combine(folder, "paused.lock");
        await using var server = new StubStateServer(_ => StubAnswer.Json(StubStateServer.StateJson((Uvc, "released", null))));
        string[] args = ["pause", "--pause-file", lockFile, "--url", server.BaseUrl, "--timeout", "5"];

        ProgramRun.Result run;
        if (Environment.UserName == "root")
        {
            File.SetUnixFileMode(_folder, File.GetUnixFileMode(_folder) | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            run = await ProgramRun.RunToolAsync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", ServerProcess.ExecutablePath, .. args]);
        }
        else
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            run = await ProgramRun.RunAsync(args);
        }

        var line = AssertOneLineFailure(run, "pause");
        Assert.Contains($"cannot create {lockFile}: permission denied; run it with sudo, or give the server and this command a --pause-file in a group-writable folder", line, StringComparison.Ordinal);
        Assert.False(File.Exists(lockFile));
        Assert.Empty(server.Requests);
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    [Fact]
    public async Task A_missing_pause_file_folder_fails_with_one_line()
    {
        var lockFile = Path.Combine(_folder, "missing", "paused.lock");

        var run = await ProgramRun.RunAsync("pause", "--pause-file", lockFile, "--url", "http://127.0.0.1:9/", "--timeout", "5");

        var line = AssertOneLineFailure(run, "pause");
        Assert.Contains($"the folder {Path.Combine(_folder, "missing")} does not exist", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pause", "unrecognized option '--bogus'", "--bogus")]
    [InlineData("pause", "invalid option '-x'", "-x")]
    [InlineData("pause", "unexpected argument 'now'", "now")]
    [InlineData("pause", "option '--timeout' requires an argument", "--timeout")]
    [InlineData("pause", "--timeout '0' is not a number of seconds greater than 0", "--timeout", "0")]
    [InlineData("resume", "--timeout '-1' is not a number of seconds greater than 0", "--timeout=-1")]
    [InlineData("resume", "--timeout 'soon' is not a number of seconds greater than 0", "--timeout", "soon")]
    [InlineData("pause", "--url '127.0.0.1:8080' is not an http:// address", "--url", "127.0.0.1:8080")]
    [InlineData("pause", "--url 'ftp://host/' is not an http:// address", "--url=ftp://host/")]
    [InlineData("resume", "--pause-file needs a file name", "--pause-file=")]
    [InlineData("pause", "option '--help' doesn't allow an argument", "--help=yes")]
    public async Task Bad_arguments_exit_2_with_one_line_and_the_hint(string verb, string message, params string[] args)
    {
        var run = await ProgramRun.RunAsync([verb, .. args]);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Stdout);
        var lines = run.Stderr.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"mjpg_streamer {verb}: {message}", lines[0], StringComparison.Ordinal);
        Assert.Equal($"Try 'mjpg_streamer {verb} --help' for more information.", lines[1]);
    }

    [Theory]
    [InlineData("pause", "--help")]
    [InlineData("resume", "-h")]
    [InlineData("pause", "--url", "http://127.0.0.1:9/", "--help")]
    public async Task Help_goes_to_stdout_and_exits_0_without_touching_anything(params string[] args)
    {
        var run = await ProgramRun.RunAsync([.. args, "--pause-file", LockFile]);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Stderr);
        Assert.Contains("Usage: mjpg_streamer pause  [--pause-file PATH] [--url URL] [--timeout SECONDS]", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("default /run/mjpg_streamer_paused.lock", run.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(LockFile));
    }

    [Fact]
    public async Task The_main_help_lists_the_helper_commands()
    {
        var run = await ProgramRun.RunAsync("--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("mjpg_streamer pause ", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("mjpg_streamer resume ", run.Stdout, StringComparison.Ordinal);
    }

    private static void AssertSilentSuccess(ProgramRun.Result run)
    {
        Assert.Equal("", run.Stderr);
        Assert.Equal("", run.Stdout);
        Assert.Equal(0, run.ExitCode);
    }

    private static string AssertOneLineFailure(ProgramRun.Result run, string verb)
    {
        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Stdout);
        Assert.EndsWith("\n", run.Stderr, StringComparison.Ordinal);
        var line = Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"mjpg_streamer {verb}: ", line, StringComparison.Ordinal);
        return line;
    }
}
