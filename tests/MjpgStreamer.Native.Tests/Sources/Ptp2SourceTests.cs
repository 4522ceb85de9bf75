using Microsoft.Extensions.Logging.Abstractions;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Sources;
using MjpgStreamer.Native.Tests.TestSupport;

namespace MjpgStreamer.Native.Tests.Sources;

/// <summary>
/// input_ptp2.so's options, the Zoom control while paused, the -u frame-rate limit and the NO SIGNAL picture, with a
/// stand-in gphoto2 script (the whole server with one is in MjpgStreamer.Tests' Ptp2InputTests).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class Ptp2SourceTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("mjpg-ptp2-");

    [Fact]
    public void Options_PortAndDelay_MapToGphoto2()
    {
        var source = new Ptp2Source("/usr/bin/gphoto2", "usb:001,004", 200_000);

        Assert.Equal(["--port", "usb:001,004", "--capture-movie", "--stdout"], source.LiveViewArguments);
        Assert.Equal(TimeSpan.FromMilliseconds(200), source.Delay);
        Assert.Equal(["--capture-movie", "--stdout"], new Ptp2Source("/usr/bin/gphoto2", null, 0).LiveViewArguments);
        Assert.Equal("PTP2 input plugin", source.DisplayName);
    }

    [Theory]
    [InlineData("-u -1", "input_ptp2.so: -u '-1' is not a whole number from 0 to 60000000")]
    [InlineData("-u x", "input_ptp2.so: -u 'x' is not a whole number from 0 to 60000000")]
    public void BadOptions_AreUsageErrors(string args, string message)
    {
        var plugin = Ptp2Source.Plugin;
        var options = PluginOptionParser.Parse(plugin.Name, ArgumentSplitter.SplitWords(args), plugin.Options, plugin.Help);

        var error = Assert.Throws<UsageException>(() => plugin.Create(options, new PluginEnvironment(TimeProvider.System, NullLoggerFactory.Instance)));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Help_NamesThePackageAndTheZoom()
    {
        var plugin = Ptp2Source.Plugin;
        var help = Assert.Throws<HelpRequestedException>(() => PluginOptionParser.Parse(plugin.Name, ["--help"], plugin.Options, plugin.Help));

        Assert.Contains("sudo apt install gphoto2", help.HelpText, StringComparison.Ordinal);
        Assert.Contains("Zoom", help.HelpText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Zoom_WhilePaused_IsKept_AndOutOfRangeIsRefused()
    {
        var source = new Ptp2Source("/usr/bin/gphoto2", null, 0);

        Assert.Equal(0, await source.ExecuteCommandAsync(new CommandRequest(1, 7, CommandGroups.Generic, 0, 0, "7"), CancellationToken.None));
        Assert.Equal(7, source.Zoom);
        Assert.Equal(7, source.Controls.Single().Value);
        Assert.Equal(-1, await source.ExecuteCommandAsync(new CommandRequest(1, 11, CommandGroups.Generic, 0, 0, "11"), CancellationToken.None));
        Assert.Equal(-1, await source.ExecuteCommandAsync(new CommandRequest(2, 1, CommandGroups.Generic, 0, 0, "1"), CancellationToken.None));
        Assert.Equal(-1, await source.ExecuteCommandAsync(new CommandRequest(1, 1, CommandGroups.V4l2, 0, 0, "1"), CancellationToken.None));
        Assert.Equal(7, source.Zoom);
    }

    [Theory]
    [InlineData(0, 20)]
    [InlineData(10_000_000, 1)]
    public async Task Delay_DropsFramesThatComeTooSoon(int delayMicroseconds, int published)
    {
        // A burst of 20 frames, then the end: with -u 10 s only the first is due.
        var frames = Path.Join(_folder.FullName, "burst.mjpeg");
        File.WriteAllBytes(frames, [.. Enumerable.Range(0, 20).SelectMany(i => TestJpegs.Frames[i % TestJpegs.Frames.Count])]);
        var program = Script("burst", $"cat '{frames}'\nexit 0\n");
        await using var run = new SourceRun(new Ptp2Source(program, null, delayMicroseconds), TimeProvider.System, NullLogger.Instance);

        await run.WaitForStateAsync(InputState.NoSignal, "burst exited with code 0");

        Assert.Equal(published, run.Hub.FramesPublished);
    }

    [Fact]
    public async Task AGphoto2ThatFails_IsNoSignalWithItsLastWords_AndTheNoSignalPicture()
    {
        var program = Script("gphoto2", "echo '*** Error: No camera found. ***' >&2\nexit 1\n");
        var hub = new LatestFrameHub(TimeProvider.System);
        var context = new SourceContext(0, hub, new FramePool(), NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        using var watch = hub.Subscribe(stop.Token);
        var task = new Ptp2Source(program, null, 0).RunAsync(context, stop.Token);

        var frame = await watch.NextAsync().AsTask().WaitAsync(Bound);

        Assert.NotNull(frame);
        Assert.True(frame.IsPlaceholder);
        frame.Release();
        Assert.Equal(InputState.NoSignal, context.State);
        Assert.Equal("gphoto2 exited with code 1: *** Error: No camera found. ***", context.Reason);
        await stop.CancelAsync();
        await task.WaitAsync(Bound);
        hub.Clear();
    }

    [Fact]
    public async Task AGphoto2ThatHangs_IsEnded_AndNoSignalSaysWhy()
    {
        // One frame, then nothing (a camera gone without a word): the run ends after the silence, not never.
        var frame = Path.Join(_folder.FullName, "one.jpg");
        File.WriteAllBytes(frame, TestJpegs.Frames[0]);
        var program = Script("silent", $"cat '{frame}'\nexec sleep 60\n");
        var source = new Ptp2Source(program, null, 0) { Silence = TimeSpan.FromMilliseconds(500) };
        await using var run = new SourceRun(source, TimeProvider.System, NullLogger.Instance);

        await run.WaitForStateAsync(InputState.NoSignal, "no frame from silent for 0.5 s");

        Assert.Equal(1, run.Hub.FramesPublished);
        Assert.Equal(0, source.ChildProcessId);
    }

    public void Dispose() => _folder.Delete(recursive: true);

    private string Script(string name, string body)
    {
        var path = Path.Join(_folder.FullName, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
