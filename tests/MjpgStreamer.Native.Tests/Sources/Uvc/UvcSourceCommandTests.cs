using System.Diagnostics;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Sources.Uvc;
using MjpgStreamer.Native.Tests.TestSupport;

namespace MjpgStreamer.Native.Tests.Sources.Uvc;

/// <summary>
/// input_uvc's commands against the fake camera: executed on the camera thread between frames, remembered
/// while the camera is away, bounded and cancellable on the request side.
/// </summary>
[Collection(nameof(V4l2.FakeCameraDevice))]
public sealed class UvcSourceCommandTests : IDisposable
{
    private const int Brightness = 0x00980900;
    private const int Contrast = 0x00980901;
    private const int WhiteBalanceAuto = 0x0098090C;
    private const int WhiteBalanceTemperature = 0x0098091A;
    private const int FlagInactive = 0x10;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("mjpg-uvc-");

    public void Dispose()
    {
        // The fake keeps control values per device across opens: later tests find the defaults again.
        using (var device = MjpgStreamer.Native.V4l2.V4l2Device.Open(FakeCameraLibrary.Camera))
        {
            device.SetControl(Brightness, 0);
            device.SetControl(Contrast, 32);
            device.SetControl(WhiteBalanceAuto, 1);
        }

        _folder.Delete(recursive: true);
    }

    private static UvcSource Create(string args) =>
        new(UvcOptions.Parse(PluginOptionParser.Parse(UvcSource.PluginName, ArgumentSplitter.SplitWords(args), UvcOptions.Specs, UvcOptions.Help), _ => { }));

    private static CommandRequest Command(int id, int group, int value) => new(id, value, group, 0, 0, null);

    private static async Task<byte[]> NextCameraFrameAsync(SourceRun run, Func<Dictionary<string, string>, bool> match)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var jpeg = await run.NextAsync();
            if (FakeCameraFrame.Comment(jpeg) is { } comment && match(comment))
            {
                return jpeg;
            }

            Assert.True(deadline.Elapsed < Bound, "no matching camera frame came");
        }
    }

    /// <summary>A by-id style link to the fake camera that a test removes to unplug it and re-creates to plug it back.</summary>
    private string Link(bool create)
    {
        var link = Path.Combine(_folder.FullName, "usb-Fake_Camera-video-index0");
        if (create)
        {
            File.CreateSymbolicLink(link, FakeCameraLibrary.Camera);
        }

        return link;
    }

    [Fact]
    public async Task ControlCommand_ThatSwitchesAnAutoMode_ShowsTheOtherControlsFlagsAsTheyAreNow()
    {
        var source = Create($"-d {FakeCameraLibrary.Camera} -r 640x480");
        await using var run = new SourceRun(source, TimeProvider.System, new ListLogger());
        await run.WaitForStateAsync(InputState.Streaming);
        int Flags(int id) => source.Controls.Single(c => c.Id == id).Flags;
        Assert.Equal(FlagInactive, Flags(WhiteBalanceTemperature) & FlagInactive);

        // Auto white balance off: the temperature is active (input.json, and the page's slider, follow).
        Assert.Equal(0, await source.ExecuteCommandAsync(Command(WhiteBalanceAuto, CommandGroups.V4l2, 0), CancellationToken.None));
        Assert.Equal(0, Flags(WhiteBalanceTemperature) & FlagInactive);

        Assert.Equal(0, await source.ExecuteCommandAsync(Command(WhiteBalanceAuto, CommandGroups.V4l2, 1), CancellationToken.None));
        Assert.Equal(FlagInactive, Flags(WhiteBalanceTemperature) & FlagInactive);
    }

    [Fact]
    public async Task ControlCommand_RunsOnTheCameraThread_AndTheFramesShowIt()
    {
        var logger = new ThreadRecordingLogger();
        var source = Create($"-d {FakeCameraLibrary.Camera} -r 640x480");
        await using var run = new SourceRun(source, TimeProvider.System, logger);
        await run.WaitForStateAsync(InputState.Streaming);

        Assert.Equal(0, await source.ExecuteCommandAsync(Command(Brightness, CommandGroups.V4l2, 20), CancellationToken.None));

        // The ioctl came from the camera thread, not from the request's.
        var set = Assert.Single(logger.Entries, e => e.Message.Contains($"control {Brightness} set to 20", StringComparison.Ordinal));
        Assert.Equal(UvcSource.ThreadName, set.Thread);
        await NextCameraFrameAsync(run, c => c["brightness"] == "20");
        Assert.Equal(20, source.Controls.Single(c => c.Id == Brightness).Value);
    }

    [Fact]
    public async Task RefusedCommands_AnswerMinusOne_AndTheCameraKeepsItsValues()
    {
        var source = Create($"-d {FakeCameraLibrary.Camera} -r 640x480 -br 5");
        await using var run = new SourceRun(source, TimeProvider.System, new ListLogger());
        await run.WaitForStateAsync(InputState.Streaming);

        Assert.Equal(-1, await source.ExecuteCommandAsync(Command(Brightness, CommandGroups.V4l2, 500), CancellationToken.None));
        Assert.Equal(-1, await source.ExecuteCommandAsync(Command(123, CommandGroups.V4l2, 1), CancellationToken.None));
        Assert.Equal(-1, await source.ExecuteCommandAsync(Command(1, CommandGroups.JpegQuality, 101), CancellationToken.None));
        Assert.Equal(-1, await source.ExecuteCommandAsync(Command(1, CommandGroups.Resolution, 9), CancellationToken.None));
        Assert.Equal(-1, await source.ExecuteCommandAsync(Command(1, 7, 1), CancellationToken.None));

        var jpeg = await NextCameraFrameAsync(run, _ => true);
        Assert.Equal("5", FakeCameraFrame.Comment(jpeg)!["brightness"]);
        Assert.Equal((640, 480), FakeCameraFrame.Size(jpeg));
    }

    [Fact]
    public async Task ResolutionCommand_AnswersZero_OnceFramesComeAtTheNewSize()
    {
        var source = Create($"-d {FakeCameraLibrary.Camera} -r 640x480");
        await using var run = new SourceRun(source, TimeProvider.System, new ListLogger());
        await run.WaitForStateAsync(InputState.Streaming);
        Assert.Equal([(640, 480), (1280, 720), (1920, 1080)], source.Formats.Single(f => f.Current).Resolutions);

        Assert.Equal(0, await source.ExecuteCommandAsync(Command(1, CommandGroups.Resolution, 1), CancellationToken.None));

        var jpeg = await NextCameraFrameAsync(run, c => c["size"] == "1280x720");
        Assert.Equal((1280, 720), FakeCameraFrame.Size(jpeg));
        Assert.Equal(1, source.Formats.Single(f => f.Current).CurrentResolution);
    }

    [Fact]
    public async Task CommandsWhileTheCameraIsAway_AreRemembered_AndAppliedWhenItIsBack()
    {
        var logger = new ThreadRecordingLogger();
        var link = Link(create: true);
        var source = Create($"-d {link} -r 640x480");
        await using var run = new SourceRun(source, TimeProvider.System, logger);
        await run.WaitForStateAsync(InputState.Streaming);

        // Unplugged: the link goes; the size switch reopens the device and finds no camera.
        File.Delete(link);
        var resize = source.ExecuteCommandAsync(Command(1, CommandGroups.Resolution, 1), CancellationToken.None).AsTask();
        await run.WaitForStateAsync(InputState.NoSignal, "no camera at");
        Assert.False(resize.IsCompleted);

        // Answered at once by the camera thread, although no device is open.
        Assert.Equal(0, await source.ExecuteCommandAsync(Command(Contrast, CommandGroups.V4l2, 70), CancellationToken.None));
        var remembered = Assert.Single(logger.Entries, e => e.Message.Contains($"control {Contrast} set to 70 when the camera is back", StringComparison.Ordinal));
        Assert.Equal(UvcSource.ThreadName, remembered.Thread);

        // Plugged back: the camera gets the size and the value set while it was away.
        Link(create: true);
        var jpeg = await NextCameraFrameAsync(run, _ => true);
        Assert.Equal(("70", "1280x720"), (FakeCameraFrame.Comment(jpeg)!["contrast"], FakeCameraFrame.Comment(jpeg)!["size"]));
        Assert.Equal(0, await resize.WaitAsync(Bound));
    }

    [Fact]
    public async Task CommandsWhileTheInputIsStopped_AreAnsweredAtOnce_AndAppliedOnTheNextRun()
    {
        var source = Create($"-d {FakeCameraLibrary.Camera} -r 640x480");
        await using (var first = new SourceRun(source, TimeProvider.System, new ListLogger()))
        {
            await first.WaitForStateAsync(InputState.Streaming);
        }

        // No camera thread (paused or released): the request itself remembers the value.
        var answer = source.ExecuteCommandAsync(Command(Brightness, CommandGroups.V4l2, 33), CancellationToken.None);
        Assert.True(answer.IsCompleted);
        Assert.Equal(0, await answer);
        Assert.Equal(-1, await source.ExecuteCommandAsync(Command(Brightness, CommandGroups.V4l2, 65), CancellationToken.None));

        await using var second = new SourceRun(source, TimeProvider.System, new ListLogger());
        await NextCameraFrameAsync(second, c => c["brightness"] == "33");
    }

    [Fact]
    public async Task ACancelledCommand_ThrowsAtOnce_AndAnUnansweredOneSaysMinusOneAfterTheTimeout()
    {
        var link = Link(create: true);
        var source = Create($"-d {link} -r 640x480");
        await using var run = new SourceRun(source, TimeProvider.System, new ListLogger());
        await run.WaitForStateAsync(InputState.Streaming);
        File.Delete(link);
        var first = source.ExecuteCommandAsync(Command(1, CommandGroups.Resolution, 2), CancellationToken.None).AsTask();
        await run.WaitForStateAsync(InputState.NoSignal, "no camera at");

        // A size switch waits for the camera; the request's cancellation ends the wait.
        using var cancel = new CancellationTokenSource();
        var cancelled = source.ExecuteCommandAsync(Command(1, CommandGroups.Resolution, 1), cancel.Token).AsTask();
        Assert.False(cancelled.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TimeSpan.FromSeconds(1)));

        // The switch the newer one replaced answered -1; an unanswered one says -1 after the command timeout.
        Assert.Equal(-1, await first.WaitAsync(Bound));
        var late = Stopwatch.StartNew();
        Assert.Equal(-1, await source.ExecuteCommandAsync(Command(1, CommandGroups.Resolution, 1), CancellationToken.None).AsTask().WaitAsync(Bound));
        Assert.InRange(late.Elapsed, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(6));
    }
}
