using System.Globalization;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Http;

/// <summary>
/// input_ptp2.so through the whole server, with a stand-in gphoto2 first on the server's PATH: it records its
/// arguments, answers --set-config at once, and for the live view streams ffmpeg's test pattern (320x240, 10 fps) as
/// back-to-back JPEGs, as gphoto2 --capture-movie --stdout does. A file "unplug" makes the next live view send a few
/// frames and fail as gphoto2 does when the camera goes.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class Ptp2InputTests : IDisposable
{
    private readonly string _folder = TestMedia.NewTempFolder();

    public Ptp2InputTests()
    {
        Bin = Path.Combine(_folder, "bin");
        Directory.CreateDirectory(Bin);
        ArgsLog = Path.Combine(_folder, "args.log");
        PidsLog = Path.Combine(_folder, "pids.log");
        Unplug = Path.Combine(_folder, "unplug");
        var script = $$"""
            #!/bin/sh
            { echo gphoto2; for a in "$@"; do printf '%s\n' "$a"; done; echo --end--; } >> '{{ArgsLog}}'
            case " $* " in
              *" --set-config "*) exit 0 ;;
              *" --capture-image-and-download "*) exec ffmpeg -nostdin -loglevel error -f lavfi -i testsrc=size=1024x768 -frames:v 1 -f mjpeg - ;;
            esac
            echo $$ >> '{{PidsLog}}'
            if [ -e '{{Unplug}}' ]; then
              rm -f '{{Unplug}}'
              ffmpeg -nostdin -loglevel error -re -f lavfi -i testsrc=size=320x240:rate=10 -frames:v 3 -f mjpeg -
              echo '*** Error (-52: Could not find the requested device on the USB port) ***' >&2
              exit 1
            fi
            exec ffmpeg -nostdin -loglevel error -re -f lavfi -i testsrc=size=320x240:rate=10 -f mjpeg -

            """;
        var path = Path.Combine(Bin, "gphoto2");
        File.WriteAllText(path, script);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private string Bin { get; }

    private string ArgsLog { get; }

    private string PidsLog { get; }

    private string Unplug { get; }

    private Dictionary<string, string> Environment => new() { ["PATH"] = Bin + ":" + System.Environment.GetEnvironmentVariable("PATH") };

    private int LiveViews => File.Exists(PidsLog) ? File.ReadAllLines(PidsLog).Length : 0;

    [Fact]
    public async Task TheLiveView_RunsGphoto2WithThePort_AndZoomStopsIt_SetsTheZoom_AndStartsItAgain()
    {
        await using var server = await ServerProcess.StartAsync(
            ["-i", "input_ptp2.so -d usb:001,004", "-o", "output_http.so -p 0 -l 127.0.0.1"],
            environment: Environment);
        await ServerState.WaitForAsync(server, "streaming");
        var snapshot = await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot");
        Assert.Equal(320, HttpBehaviourTests.JpegWidth(snapshot.Body));
        Assert.Equal("gphoto2\n--port\nusb:001,004\n--capture-movie\n--stdout\n--end--", string.Join('\n', File.ReadAllLines(ArgsLog)));
        var program = await ServerState.GetJsonAsync(server, "/program.json");
        Assert.Equal("PTP2 input plugin", program.GetProperty("inputs")[0].GetProperty("name").GetString());
        var zoom = (await ServerState.GetJsonAsync(server, "/input.json")).GetProperty("controls")[0];
        Assert.Equal("Zoom", zoom.GetProperty("name").GetString());
        Assert.Equal(("1", "0", "10", "1", "0"), (zoom.GetProperty("id").GetString(), zoom.GetProperty("min").GetString(), zoom.GetProperty("max").GetString(), zoom.GetProperty("type").GetString(), zoom.GetProperty("value").GetString()));
        var firstPid = int.Parse(File.ReadAllLines(PidsLog)[0], CultureInfo.InvariantCulture);

        var answer = await RawHttp.GetResponseAsync(server.Port, "/?action=command&id=1&value=5");

        Assert.Equal(200, answer.Status);
        Assert.Equal("1: 0", answer.BodyText.Trim());
        await Eventually.UntilAsync(() => LiveViews == 2, "the live view started again");
        Assert.Equal(
            "gphoto2\n--port\nusb:001,004\n--capture-movie\n--stdout\n--end--\n"
            + "gphoto2\n--port\nusb:001,004\n--set-config\nzoom=5\n--end--\n"
            + "gphoto2\n--port\nusb:001,004\n--capture-movie\n--stdout\n--end--",
            string.Join('\n', File.ReadAllLines(ArgsLog)));
        Assert.False(IsRunning(firstPid), "the first live view still runs");
        await ServerState.WaitForAsync(server, "streaming");
        Assert.Equal("5", (await ServerState.GetJsonAsync(server, "/input.json")).GetProperty("controls")[0].GetProperty("value").GetString());
        Assert.Equal("1: -1", (await RawHttp.GetResponseAsync(server.Port, "/?action=command&id=1&value=11")).BodyText.Trim());
    }

    [Fact]
    public async Task AGphoto2ThatExits_GivesNoSignalWithItsWords_AndIsStartedAgain()
    {
        File.WriteAllText(Unplug, "");
        await using var server = await ServerProcess.StartAsync(
            ["-i", "input_ptp2.so", "-o", "output_http.so -p 0 -l 127.0.0.1"],
            environment: Environment);

        await ServerState.WaitForAsync(server, "no_signal", "gphoto2 exited with code 1: *** Error (-52: Could not find the requested device on the USB port) ***");
        var placeholder = await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot");
        Assert.Equal(200, placeholder.Status);
        await ServerState.WaitForAsync(server, "streaming");
        Assert.Equal(2, LiveViews);
        Assert.DoesNotContain("--port", File.ReadAllText(ArgsLog), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePause_EndsGphoto2_AndTheResumeStartsItAgain()
    {
        var lockFile = Path.Combine(_folder, "paused.lock");
        await using var server = await ServerProcess.StartAsync(
            ["--pause-file", lockFile, "-i", "input_ptp2.so -u 200000", "-o", "output_http.so -p 0 -l 127.0.0.1"],
            environment: Environment);
        await ServerState.WaitForAsync(server, "streaming");
        var pid = int.Parse(File.ReadAllLines(PidsLog)[^1], CultureInfo.InvariantCulture);
        Assert.True(IsRunning(pid));

        File.WriteAllText(lockFile, "");
        await ServerState.WaitForAsync(server, "released");

        Assert.False(IsRunning(pid), "gphoto2 still runs while paused: the camera is not free");
        Assert.Equal(1, LiveViews);
        File.Delete(lockFile);
        await ServerState.WaitForAsync(server, "streaming");
        Assert.Equal(2, LiveViews);
    }

    [Fact]
    public async Task AStillCommand_TakesAFullResolutionPhoto_WhileGphoto2sLiveViewIsEnded()
    {
        await using var server = await ServerProcess.StartAsync(
            ["-i", "input_ptp2.so -still_command \"gphoto2 --capture-image-and-download --stdout\"", "-o", "output_http.so -p 0 -l 127.0.0.1"],
            environment: Environment);
        await ServerState.WaitForAsync(server, "streaming");
        var liveView = int.Parse(File.ReadAllLines(PidsLog)[0], CultureInfo.InvariantCulture);

        var still = await RawHttp.GetResponseAsync(server.Port, "/?action=still");

        Assert.Equal(200, still.Status);
        Assert.Equal(1024, HttpBehaviourTests.JpegWidth(still.Body));
        Assert.False(IsRunning(liveView), "the live view ran during the photo");
        Assert.Contains("gphoto2\n--capture-image-and-download\n--stdout\n--end--", string.Join('\n', File.ReadAllLines(ArgsLog)), StringComparison.Ordinal);
        await ServerState.WaitForAsync(server, "streaming");
        Assert.Equal(2, LiveViews);
    }

    [Fact]
    public async Task WithoutGphoto2_ItExitsWith1_NamingThePackageToInstall()
    {
        var empty = Path.Combine(_folder, "empty");
        Directory.CreateDirectory(empty);

        var result = await ProgramRun.RunWithEnvironmentAsync(
            new Dictionary<string, string?> { ["PATH"] = empty },
            "-i", "input_ptp2.so", "-o", "output_http.so -p 0 -l 127.0.0.1");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            "mjpg_streamer: input_ptp2.so: gphoto2 is not installed (not found in PATH); install it with: sudo apt install gphoto2",
            result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
    }

    /// <summary>The process exists and is not a zombie (ours are reaped: a stopped one is gone from /proc).</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return !stat[(stat.LastIndexOf(')') + 1)..].TrimStart().StartsWith('Z');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
