using System.Diagnostics;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Outputs;

/// <summary>
/// output_viewer.so end to end under an X server of the test's own (Xvfb): the window appears with the input and fps
/// in its title and the frame's size, a screenshot of it shows the test pattern, and closing it stops the viewer but
/// not the server. Without a display, it is one line and exit 1.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ViewerOutputTests
{
    // input_testpattern.so's eight colour bars, left to right, over the upper three quarters of the picture.
    private static readonly (byte R, byte G, byte B)[] Bars =
    [
        (255, 255, 255), (255, 255, 0), (0, 255, 255), (0, 255, 0),
        (255, 0, 255), (255, 0, 0), (0, 0, 255), (0, 0, 0),
    ];

    [Fact]
    public async Task The_window_shows_the_test_pattern_at_its_size_and_closing_it_stops_the_viewer_but_not_the_server()
    {
        using var display = await VirtualDisplay.StartAsync();
        await using var server = await ServerProcess.StartAsync(
            ["-i", "input_testpattern.so -r 160x120 -f 5", "-o", "output_http.so -p 0 -l 127.0.0.1", "-o", "output_viewer.so -i 0"],
            environment: new Dictionary<string, string> { ["DISPLAY"] = display.Name });

        // The title says which input and how fast, once the first second of frames was counted.
        var window = await display.WaitForWindowAsync(
            w => w.Title.StartsWith("MJPG-Streamer input 0: 160x120, ", StringComparison.Ordinal) && w.Title.EndsWith(" fps", StringComparison.Ordinal),
            "the viewer's window with the input and fps in its title");
        Assert.Equal((160, 120), (window.Width, window.Height));
        Assert.Contains("[1950] output 1: showing input 0 in a window", server.Stderr, StringComparison.Ordinal);

        // The picture: every colour bar at its place (a JPEG's colours are near, not exact).
        var shot = await display.ScreenshotAsync();
        for (var i = 0; i < Bars.Length; i++)
        {
            var x = window.X + (((2 * i) + 1) * 160 / 16);
            foreach (var y in new[] { window.Y + 4, window.Y + 80 })
            {
                var pixel = shot.Pixel(x, y);
                Assert.True(Near(pixel, Bars[i]), $"bar {i} at ({x - window.X},{y - window.Y}) of the window: {pixel}, expected about {Bars[i]}");
            }
        }

        var state = await FileOutputTests.OutputStateAsync(server, 1);
        Assert.Equal("open", state.GetProperty("window").GetString());
        Assert.Equal(0, state.GetProperty("input").GetInt32());
        Assert.Equal(160, state.GetProperty("width").GetInt32());
        Assert.Equal(120, state.GetProperty("height").GetInt32());
        Assert.Equal("x11", state.GetProperty("video_driver").GetString());
        Assert.True(state.GetProperty("frames_shown").GetInt64() >= 1);
        Assert.Equal(0, state.GetProperty("decode_failures").GetInt64());
        var program = await RawHttp.GetResponseAsync(server.Port, "/program.json");
        Assert.Contains("\"plugin\": \"output_viewer.so\"", program.BodyText, StringComparison.Ordinal);
        Assert.Contains("\"name\": \"SDL output plugin\"", program.BodyText, StringComparison.Ordinal);
        Assert.Equal(200, (await RawHttp.GetResponseAsync(server.Port, "/output_1.json")).Status);
        Assert.Contains("libSDL2-2.0.so.0", File.ReadAllText($"/proc/{server.Pid}/maps"), StringComparison.Ordinal);

        // The window manager's close button: the window goes, the viewer says so, the server goes on serving.
        display.CloseWindow(window.Id);
        await display.WaitForNoWindowAsync(w => w.Id == window.Id, "the viewer's window is gone");
        await Eventually.UntilAsync(() => server.Stderr.Contains("[1951] output 1: the window was closed", StringComparison.Ordinal), "the viewer logs its end");
        Assert.Equal("closed", (await FileOutputTests.OutputStateAsync(server, 1)).GetProperty("window").GetString());
        Assert.False(server.HasExited);
        var snapshot = await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot");
        Assert.Equal(200, snapshot.Status);
        Assert.Equal([0xFF, 0xD8], snapshot.Body[..2]);
        Assert.Equal(0, await server.StopAsync());
    }

    [Fact]
    public async Task The_X_server_ending_stops_the_viewer_and_the_server_goes_on()
    {
        using var display = await VirtualDisplay.StartAsync();
        await using var server = await ServerProcess.StartAsync(
            ["-i", "input_testpattern.so -r 160x120 -f 5", "-o", "output_http.so -p 0 -l 127.0.0.1", "-o", "output_viewer.so"],
            environment: new Dictionary<string, string> { ["DISPLAY"] = display.Name });
        await display.WaitForWindowAsync(w => w.Title.StartsWith("MJPG-Streamer input 0", StringComparison.Ordinal), "the viewer's window");

        // Xlib's default would end the whole process (exit 1) here.
        display.Kill();
        await Eventually.UntilAsync(() => server.Stderr.Contains("[1954] output 1: the connection to the display broke", StringComparison.Ordinal), "the viewer logs the lost display");
        Assert.False(server.HasExited);
        Assert.Equal("display_lost", (await FileOutputTests.OutputStateAsync(server, 1)).GetProperty("window").GetString());
        Assert.Equal(200, (await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot")).Status);
        Assert.Equal(0, await server.StopAsync());
    }

    [Fact]
    public async Task A_server_without_the_viewer_never_loads_SDL()
    {
        await using var server = await ServerProcess.StartAsync(["-i", "input_testpattern.so -r 160x120 -f 5", "-o", "output_http.so -p 0 -l 127.0.0.1"]);
        Assert.Equal(200, (await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot")).Status);
        Assert.DoesNotContain("libSDL2", File.ReadAllText($"/proc/{server.Pid}/maps"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_display_it_exits_1_with_one_line()
    {
        var run = await RunAsync(display: null);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            "mjpg_streamer: output_viewer.so: no display: neither DISPLAY nor WAYLAND_DISPLAY is set (the viewer needs a desktop session)",
            LastLine(run.Stderr));
        Assert.Single(run.Stderr.Split('\n'), l => l.Contains("output_viewer.so:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_display_without_an_X_server_exits_1_with_SDL_s_reason()
    {
        var number = Enumerable.Range(700, 200).First(n => !File.Exists($"/tmp/.X11-unix/X{n}") && !File.Exists($"/tmp/.X{n}-lock"));
        var run = await RunAsync(display: $":{number}");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"mjpg_streamer: output_viewer.so: SDL cannot open the display (DISPLAY=:{number}): ", LastLine(run.Stderr), StringComparison.Ordinal);
        Assert.Single(run.Stderr.Split('\n'), l => l.Contains("output_viewer.so:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Help_bad_options_and_a_missing_input()
    {
        var help = await ProgramRun.RunAsync("-o", "output_viewer.so --help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("Help for output plugin..: SDL output plugin", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("[-i | --input ]", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("output_viewer.so", (await ProgramRun.RunAsync("-h")).Stdout, StringComparison.Ordinal);

        var bad = await ProgramRun.RunAsync("--pause-file", "none", "-i", "input_testpattern.so -r 160x120", "-o", "output_viewer.so -x 1");
        Assert.Equal(2, bad.ExitCode);
        var notNumber = await ProgramRun.RunAsync("--pause-file", "none", "-i", "input_testpattern.so -r 160x120", "-o", "output_viewer.so -i one");
        Assert.Equal(2, notNumber.ExitCode);

        var noInput = await RunAsync(display: ":0", viewer: "output_viewer.so -i 1");
        Assert.Equal(1, noInput.ExitCode);
        Assert.Equal("mjpg_streamer: output_viewer.so: -i 1 but there is 1 input (numbered from 0)", LastLine(noInput.Stderr));
    }

    private static bool Near((byte R, byte G, byte B) seen, (byte R, byte G, byte B) expected) =>
        Math.Abs(seen.R - expected.R) <= 48 && Math.Abs(seen.G - expected.G) <= 48 && Math.Abs(seen.B - expected.B) <= 48;

    private static string LastLine(string text) => text.TrimEnd('\n').Split('\n')[^1];

    /// <summary>The server with the viewer, to its exit (bounded), with DISPLAY as given (null: no DISPLAY nor WAYLAND_DISPLAY).</summary>
    private static Task<ProgramRun.Result> RunAsync(string? display, string viewer = "output_viewer.so") =>
        ProgramRun.RunWithEnvironmentAsync(
            new Dictionary<string, string?> { ["WAYLAND_DISPLAY"] = null, ["DISPLAY"] = display },
            "--pause-file", "none", "-i", "input_testpattern.so -r 160x120 -f 5", "-o", "output_http.so -p 0 -l 127.0.0.1", "-o", viewer);
}
