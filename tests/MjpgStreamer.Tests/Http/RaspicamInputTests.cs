using System.Diagnostics;
using System.Globalization;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Http;

/// <summary>
/// input_raspicam.so through the whole server, with a stand-in rpicam-vid first on the server's PATH: the stream,
/// the warnings, the usage errors, and the pause fork's wait for the input_raspicam thread.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RaspicamInputTests : IDisposable
{
    private readonly string _folder = TestMedia.NewTempFolder();

    public RaspicamInputTests()
    {
        Bin = Path.Combine(_folder, "bin");
        ArgsLog = Path.Combine(_folder, "args.log");
        StandInRpicam.WriteVid(Bin, ArgsLog);
    }

    private string Bin { get; }

    /// <summary>A stand-in rpicam-still: records its argv, writes one 1024x768 JPEG to stdout.</summary>
    private void AddRpicamStill()
    {
        var script = $$"""
            #!/bin/sh
            { basename "$0"; for a in "$@"; do printf '%s\n' "$a"; done; echo --end--; } >> '{{ArgsLog}}'
            exec ffmpeg -nostdin -loglevel error -f lavfi -i testsrc=size=1024x768 -frames:v 1 -f mjpeg -

            """;
        var path = Path.Combine(Bin, "rpicam-still");
        File.WriteAllText(path, script);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    [Fact]
    public async Task StillOverHttp_RunsRpicamStillBetweenTwoRunsOfRpicamVid_AndTheStreamGoesOn()
    {
        AddRpicamStill();
        await using var server = await ServerProcess.StartAsync(
            ["-i", "input_raspicam.so -x 320 -y 240 -fps 15 -still_args \"--quality 95\"", "-o", "output_http.so -p 0 -l 127.0.0.1"],
            environment: Environment);
        await using var client = await MjpegClient.ConnectAsync(server.Port);
        await client.NextAsync();

        var still = await RawHttp.GetResponseAsync(server.Port, "/?action=still");

        Assert.Equal(200, still.Status);
        Assert.Equal(1024, HttpBehaviourTests.JpegWidth(still.Body));
        var log = string.Join('\n', File.ReadAllLines(ArgsLog));
        Assert.Contains("rpicam-still\n-o\n-\n--immediate", log, StringComparison.Ordinal);
        Assert.Contains("--quality\n95\n--end--", log, StringComparison.Ordinal);
        var part = await client.NextAsync();
        Assert.Equal(320, HttpBehaviourTests.JpegWidth(part.Jpeg));
        await ServerState.WaitForAsync(server, "streaming");
        Assert.Equal(2, File.ReadAllLines(ArgsLog).Count(l => l == "rpicam-vid"));
    }

    private string ArgsLog { get; }

    private Dictionary<string, string> Environment => new() { ["PATH"] = Bin + ":" + System.Environment.GetEnvironmentVariable("PATH") };

    [Fact]
    public async Task RpicamVidsStream_IsServed_WithTheMappedOptions_AndUnsupportedOnesWarnedOnce()
    {
        var server = await ServerProcess.StartAsync(
            ["-i", "input_raspicam.so -x 320 -y 240 -fps 15 -br 60 -drc high", "-o", "output_http.so -p 0 -l 127.0.0.1"],
            environment: Environment);
        await using (server)
        {
            var snapshot = await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot");
            Assert.Equal(200, snapshot.Status);
            Assert.Equal(320, HttpBehaviourTests.JpegWidth(snapshot.Body));
            var program = await ServerState.GetJsonAsync(server, "/program.json");
            Assert.Equal("raspicam input plugin", program.GetProperty("inputs")[0].GetProperty("name").GetString());

            var argv = File.ReadAllLines(ArgsLog);
            Assert.Equal("rpicam-vid", argv[0]);
            Assert.Contains("--brightness\n0.2\n", string.Join('\n', argv), StringComparison.Ordinal);
            Assert.Equal(1, Count(server.Stderr, "-drc high: rpicam has no dynamic range compression"));
            Assert.Equal(1, CameraThreads(server.Pid));
            Assert.Equal(0, await server.StopAsync());
        }
    }

    [Fact]
    public async Task TheForksWaitLoop_EndsWhenTheLockFileIsThere_AndTheThreadComesBackAfter()
    {
        var lockFile = Path.Combine(_folder, "paused.lock");
        await using var server = await ServerProcess.StartAsync(
            ["--pause-file", lockFile, "-i", "input_raspicam.so -x 320 -y 240 -fps 15", "-o", "output_http.so -p 0 -l 127.0.0.1"],
            environment: Environment);
        await ServerState.WaitForAsync(server, "streaming");
        var pid = server.Pid.ToString(CultureInfo.InvariantCulture);
        var children = ChildPids(server.Pid);
        Assert.Single(children);

        // before-snapshot.sh: touch the lock, then wait while the thread exists.
        File.WriteAllText(lockFile, "");
        Assert.Equal(0, await Shell($"while ps -T -p {pid} | grep -q input_raspicam; do sleep 0.01; done"));

        Assert.Empty(ChildPids(server.Pid));
        Assert.False(Directory.Exists($"/proc/{children[0]}"));
        await ServerState.WaitForAsync(server, "released");

        File.Delete(lockFile);
        await ServerState.WaitForAsync(server, "streaming");
        Assert.Equal(1, CameraThreads(server.Pid));
        Assert.Single(ChildPids(server.Pid));
    }

    [Theory]
    [InlineData("-ex bogus", "-ex 'bogus' is not one of")]
    [InlineData("-br 200", "-br '200' is not a whole number from 0 to 100")]
    [InlineData("-rot 45", "-rot '45' is not 0, 90, 180 or 270")]
    public async Task BadValues_ExitWithCode2(string option, string message)
    {
        var result = await ProgramRun.RunAsync("-i", "input_raspicam.so " + option, "-o", "output_http.so -p 0 -l 127.0.0.1");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("input_raspicam.so: " + message, result.Stderr, StringComparison.Ordinal);
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

    private static int Count(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static int CameraThreads(int pid) =>
        Directory.GetDirectories($"/proc/{pid}/task").Count(task =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == "input_raspicam";
            }
            catch (IOException)
            {
                return false;
            }
        });

    private static List<int> ChildPids(int pid) =>
        Directory.GetDirectories($"/proc/{pid}/task")
            .SelectMany(task =>
            {
                try
                {
                    return File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                }
                catch (IOException)
                {
                    return [];
                }
            })
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture))
            .ToList();

    private static async Task<int> Shell(string script)
    {
        using var process = Process.Start(new ProcessStartInfo("sh") { ArgumentList = { "-c", script }, UseShellExecute = false })!;
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        return process.ExitCode;
    }
}
