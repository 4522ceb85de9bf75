using System.Net;
using System.Net.Sockets;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Tools;

/// <summary>
/// "mjpg_streamer still OUTPUT" (from the server's ?action=still) and "octolapse-still" as Octolapse's script camera
/// runs it: the real executable against a stub server, files in a temporary folder.
/// </summary>
public sealed class StillCommandTests : IDisposable
{
    private const string Old = "the previous snapshot";

    private readonly string _folder = Directory.CreateTempSubdirectory("mjpg-still-").FullName;

    public StillCommandTests()
    {
        Output = Path.Combine(_folder, "snap.jpg");
    }

    /// <summary>A real 640x480 JPEG from ffmpeg.</summary>
    internal static byte[] Jpeg { get; } = File.ReadAllBytes(Directory.GetFiles(TestMedia.FramesFolder, "*.jpg").Order().First());

    private string Output { get; }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task The_still_is_written_to_the_file_silently()
    {
        await using var server = new StubStateServer(request => request.Path == "/?action=still" ? StubAnswer.Jpeg(Jpeg) : StubAnswer.NotFound);

        var run = await ProgramRun.RunAsync("still", Output, "--url", server.BaseUrl, "--timeout", "5");

        ToolRunAssert.SilentSuccess(run);
        Assert.Equal(Jpeg, await File.ReadAllBytesAsync(Output));
        Assert.Equal("/?action=still", Assert.Single(server.Requests).Path);
        AssertOnlyFiles(Output);
    }

    [Fact]
    public async Task An_existing_file_is_replaced_whole()
    {
        await File.WriteAllTextAsync(Output, Old);
        await using var server = new StubStateServer(_ => StubAnswer.Jpeg(Jpeg));

        var run = await ProgramRun.RunAsync("still", "--url", server.BaseUrl, Output);

        ToolRunAssert.SilentSuccess(run);
        Assert.Equal(Jpeg, await File.ReadAllBytesAsync(Output));
        AssertOnlyFiles(Output);
    }

    [Theory]
    [InlineData("1", "/?action=still_1")]
    [InlineData("0", "/?action=still_0")]
    public async Task Input_n_asks_for_that_inputs_still(string input, string expected)
    {
        await using var server = new StubStateServer(request => request.Path == expected ? StubAnswer.Jpeg(Jpeg) : StubAnswer.NotFound);

        var run = await ProgramRun.RunAsync("still", Output, "--url", server.BaseUrl, "--input", input);

        ToolRunAssert.SilentSuccess(run);
        Assert.Equal(Jpeg, await File.ReadAllBytesAsync(Output));
    }

    [Fact]
    public async Task User_and_password_and_a_path_in_the_url_are_used_as_for_pause()
    {
        // "u:p@ss" percent-encoded; base64("u:p@ss") = "dTpwQHNz".
        await using var server = new StubStateServer(request => request.Authorization == "Basic dTpwQHNz" && request.Path == "/webcam/?action=still"
            ? StubAnswer.Jpeg(Jpeg)
            : StubAnswer.Unauthorized);

        var run = await ProgramRun.RunAsync("still", Output, "--url", $"http://u:p%40ss@127.0.0.1:{server.Port}/webcam");

        ToolRunAssert.SilentSuccess(run);
        Assert.Equal(Jpeg, await File.ReadAllBytesAsync(Output));
    }

    [Fact]
    public async Task A_503_fails_with_the_servers_reason_and_leaves_the_file_alone()
    {
        await File.WriteAllTextAsync(Output, Old);
        await using var server = new StubStateServer(_ => StubAnswer.Text(503, "Service Unavailable", "input 0 (input_uvc.so) is no_signal: /dev/video0 is gone\n"));

        var run = await ProgramRun.RunAsync("still", Output, "--url", server.BaseUrl, "--timeout", "5");

        var line = ToolRunAssert.OneLineFailure(run, "still");
        Assert.Equal(
            $"mjpg_streamer still: {server.BaseUrl}?action=still answered 503 Service Unavailable: input 0 (input_uvc.so) is no_signal: /dev/video0 is gone",
            line);
        Assert.Equal(Old, await File.ReadAllTextAsync(Output));
        AssertOnlyFiles(Output);
    }

    [Theory]
    [InlineData("", "needs a user name and password (401 Unauthorized); give them in --url")]
    [InlineData("x:wrong@", "refused the user name and password given in --url (401 Unauthorized)")]
    public async Task Unauthorized_fails_with_one_line(string credentials, string expected)
    {
        await using var server = new StubStateServer(_ => StubAnswer.Unauthorized);

        var run = await ProgramRun.RunAsync("still", Output, "--url", $"http://{credentials}127.0.0.1:{server.Port}/");

        var line = ToolRunAssert.OneLineFailure(run, "still");
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", line, StringComparison.Ordinal);
        AssertOnlyFiles();
    }

    [Theory]
    [InlineData(200, "<html>not a picture</html>", "answered 200 but not a JPEG (26 bytes, text/plain)")]
    [InlineData(404, "404: Not Found!", "answered 404 Not Found: 404: Not Found!; is --url the server's base address, and is that server a version with ?action=still?")]
    [InlineData(500, "", "answered 500 Internal Server Error")]
    public async Task A_wrong_answer_fails_with_one_line_and_leaves_the_file_alone(int status, string body, string expected)
    {
        await File.WriteAllTextAsync(Output, Old);
        await using var server = new StubStateServer(_ => StubAnswer.Text(status, status switch
        {
            200 => "OK",
            404 => "Not Found",
            _ => "Internal Server Error",
        }, body));

        var run = await ProgramRun.RunAsync("still", Output, "--url", server.BaseUrl);

        var line = ToolRunAssert.OneLineFailure(run, "still");
        Assert.EndsWith(expected, line, StringComparison.Ordinal);
        Assert.Equal(Old, await File.ReadAllTextAsync(Output));
        AssertOnlyFiles(Output);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_and_leaves_the_file_alone()
    {
        await File.WriteAllTextAsync(Output, Old);
        await using var server = new StubStateServer(_ => StubAnswer.Hang);

        var run = await ProgramRun.RunAsync("still", Output, "--url", server.BaseUrl, "--timeout", "1");

        var line = ToolRunAssert.OneLineFailure(run, "still");
        Assert.Equal($"mjpg_streamer still: timed out after 1 s waiting for a still from {server.BaseUrl}?action=still", line);
        Assert.Equal(Old, await File.ReadAllTextAsync(Output));
        AssertOnlyFiles(Output);
    }

    [Fact]
    public async Task An_unreachable_server_fails_at_once()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
        }

        var run = await ProgramRun.RunAsync("still", Output, "--url", $"http://127.0.0.1:{port}/", "--timeout", "20");

        var line = ToolRunAssert.OneLineFailure(run, "still");
        Assert.Contains($"cannot get http://127.0.0.1:{port}/?action=still (Connection refused)", line, StringComparison.Ordinal);
        AssertOnlyFiles();
    }

    [Fact]
    public async Task A_missing_folder_fails_before_asking_the_server()
    {
        await using var server = new StubStateServer(_ => StubAnswer.Jpeg(Jpeg));
        var output = Path.Combine(_folder, "missing", "snap.jpg");

        var run = await ProgramRun.RunAsync("still", output, "--url", server.BaseUrl);

        var line = ToolRunAssert.OneLineFailure(run, "still");
        Assert.Equal($"mjpg_streamer still: cannot write {output}: the folder {Path.Combine(_folder, "missing")} does not exist", line);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task An_output_that_is_a_folder_fails_with_one_line()
    {
        await using var server = new StubStateServer(_ => StubAnswer.Jpeg(Jpeg));

        var run = await ProgramRun.RunAsync("still", _folder, "--url", server.BaseUrl);

        var line = ToolRunAssert.OneLineFailure(run, "still");
        Assert.Equal($"mjpg_streamer still: cannot write {_folder}: it is a folder", line);
        AssertOnlyFiles();
    }

    [Theory]
    [InlineData(7)]
    [InlineData(6)]
    public async Task Octolapse_still_writes_the_snapshot_where_octolapse_expects_it_creating_the_folder(int count)
    {
        await using var server = new StubStateServer(_ => StubAnswer.Jpeg(Jpeg));
        var snapshots = Path.Combine(_folder, "octolapse_snapshots_tmp", "job", "camera");
        var path = Path.Combine(snapshots, "print000001.jpg");
        string[] octolapse = ["1", "0.125", Path.Combine(_folder, "data"), snapshots, "print000001.jpg", path, "Pi camera"];

        var run = await ProgramRun.RunAsync(["octolapse-still", "--url", server.BaseUrl, "--timeout", "5", .. octolapse[..count]]);

        ToolRunAssert.SilentSuccess(run);
        Assert.Equal(Jpeg, await File.ReadAllBytesAsync(path));
        Assert.Equal([path], Directory.GetFiles(snapshots));
    }

    [Fact]
    public async Task Octolapse_still_failure_is_one_line_and_no_snapshot()
    {
        await using var server = new StubStateServer(_ => StubAnswer.Text(503, "Service Unavailable", "the camera is paused"));
        var path = Path.Combine(_folder, "snaps", "p000002.jpg");

        var run = await ProgramRun.RunAsync("octolapse-still", "--url", server.BaseUrl, "2", "0", _folder, Path.Combine(_folder, "snaps"), "p000002.jpg", path, "cam");

        var line = ToolRunAssert.OneLineFailure(run, "octolapse-still");
        Assert.EndsWith("answered 503 Service Unavailable: the camera is paused", line, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(_folder, "snaps")));
    }

    [Theory]
    [InlineData("expects Octolapse's script arguments (\"$@\"); missing $6 (snapshot full path)", "1", "0.1", "/tmp", "/tmp/s", "a.jpg")]
    [InlineData("missing $1 (snapshot number), $2 (delay seconds), $3 (data directory), $4 (snapshot directory), $5 (snapshot file name), $6 (snapshot full path)")]
    [InlineData("unexpected argument 'x' after Octolapse's 7 script arguments", "1", "0.1", "/tmp", "/tmp/s", "a.jpg", "/tmp/s/a.jpg", "cam", "x")]
    [InlineData("unrecognized option '--bogus'", "--bogus", "1")]
    public async Task Octolapse_still_with_wrong_arguments_exits_2(string message, params string[] args)
    {
        var run = await ProgramRun.RunAsync(["octolapse-still", "--url", "http://127.0.0.1:9/", .. args]);

        ToolRunAssert.UsageError(run, "octolapse-still", message);
    }

    [Theory]
    [InlineData("missing the output file, as in: mjpg_streamer still OUTPUT.jpg")]
    [InlineData("unexpected argument 'b.jpg'", "a.jpg", "b.jpg")]
    [InlineData("unrecognized option '--bogus'", "a.jpg", "--bogus")]
    [InlineData("invalid option '-o'", "-o", "a.jpg")]
    [InlineData("--input 'x' is not an input number (0, 1, ...)", "a.jpg", "--input", "x")]
    [InlineData("--input '-1' is not an input number (0, 1, ...)", "a.jpg", "--input=-1")]
    [InlineData("--timeout '0' is not a number of seconds greater than 0", "a.jpg", "--timeout", "0")]
    [InlineData("--url 'host:8080' is not an http:// address", "a.jpg", "--url", "host:8080")]
    [InlineData("--pause-file is only used with --command", "a.jpg", "--pause-file", "/tmp/p.lock")]
    [InlineData("--input asks the server for a still; with --command the command takes it", "a.jpg", "--input", "1", "--command", "rpicam-still -o {}")]
    [InlineData("--command has an unbalanced double quote", "a.jpg", "--command", "rpicam-still -o \"{}")]
    [InlineData("--command needs a command line", "a.jpg", "--command", " ")]
    [InlineData("option '--command' requires an argument", "a.jpg", "--command")]
    public async Task Still_with_wrong_arguments_exits_2_touching_nothing(string message, params string[] args)
    {
        var run = await ProgramRun.RunAsync(["still", .. args.Select(a => a == "a.jpg" ? Path.Combine(_folder, a) : a)]);

        ToolRunAssert.UsageError(run, "still", message);
        AssertOnlyFiles();
    }

    [Theory]
    [InlineData("still", "Usage: mjpg_streamer still OUTPUT.jpg [--url URL] [--timeout SECONDS] [--input N]", "--help")]
    [InlineData("still", "--command \"rpicam-still -o {} --immediate\"", "a.jpg", "-h")]
    [InlineData("octolapse-still", "Usage: mjpg_streamer octolapse-still [OPTIONS] \"$@\"", "--url", "http://127.0.0.1:9/", "--help")]
    [InlineData("octolapse-still", "exec /opt/mjpg-streamer/mjpg_streamer octolapse-still --url http://127.0.0.1:8080/ \"$@\"", "-h")]
    public async Task Help_goes_to_stdout_and_exits_0(string verb, string expected, params string[] args)
    {
        var run = await ProgramRun.RunAsync([verb, .. args]);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Stderr);
        Assert.Contains(expected, run.Stdout, StringComparison.Ordinal);
        AssertOnlyFiles();
    }

    [Fact]
    public async Task The_main_help_lists_the_still_commands()
    {
        var run = await ProgramRun.RunAsync("--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("  mjpg_streamer still ", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("  mjpg_streamer octolapse-still ", run.Stdout, StringComparison.Ordinal);
    }

    /// <summary>The folder holds exactly these files: no temporary file left behind.</summary>
    private void AssertOnlyFiles(params string[] files) =>
        Assert.Equal(files.Order(), Directory.GetFiles(_folder).Order());
}
