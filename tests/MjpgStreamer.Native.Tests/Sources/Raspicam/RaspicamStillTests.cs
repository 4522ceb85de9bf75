using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Sources.Raspicam;

namespace MjpgStreamer.Native.Tests.Sources.Raspicam;

/// <summary>One still taken by <see cref="RaspicamStill"/> alone (no stream running), against the stand-in rpicam-still.</summary>
[Collection(nameof(CameraThreadCounting))]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RaspicamStillTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Takes_RpicamStillsJpeg_AndLeavesTheInputStarting()
    {
        using var fake = new FakeRpicam(videoName: "");
        var (still, context) = Still(fake);

        var jpeg = await Take(still, context, CancellationToken.None);

        Assert.True(JpegInfo.TryReadSize(jpeg, out var width, out var height));
        Assert.Equal((800, 600), (width, height));
        Assert.Equal(["rpicam-still", .. still.Arguments], Assert.Single(fake.Runs()));
        Assert.Equal(InputState.Starting, context.State);
    }

    [Fact]
    public async Task FallsBackToLibcameraStill()
    {
        using var fake = new FakeRpicam(videoName: "", stillName: "libcamera-still");
        var (still, context) = Still(fake);

        var jpeg = await Take(still, context, CancellationToken.None);

        Assert.True(JpegInfo.HasSoiAndEoi(jpeg));
        Assert.Equal("libcamera-still", Assert.Single(fake.Runs())[0]);
    }

    [Fact]
    public async Task NeitherProgram_IsAStillFailure_WithoutTouchingTheState()
    {
        using var fake = new FakeRpicam(videoName: "", stillName: "");
        var (still, context) = Still(fake);
        var before = context.State;

        var error = await Assert.ThrowsAsync<StillFailedException>(() => Take(still, context, CancellationToken.None));

        Assert.Equal("rpicam-still not found", error.Message);
        Assert.Equal(before, context.State);
    }

    [Fact]
    public async Task ToolThatWritesNothing_SaysSo()
    {
        using var fake = new FakeRpicam(videoName: "", stillMode: "empty");
        var (still, context) = Still(fake);

        var error = await Assert.ThrowsAsync<StillFailedException>(() => Take(still, context, CancellationToken.None));

        Assert.Equal("rpicam-still did not write a JPEG (0 bytes)", error.Message);
        Assert.True(((CapturingLogger)context.Logger).Contains(LogLevel.Warning, "input_raspicam: still failed: rpicam-still did not write a JPEG"));
    }

    [Fact]
    public async Task ToolThatWritesTooMuch_IsAStillFailure_NamingTheBound()
    {
        using var fake = new FakeRpicam(videoName: "", stillMode: "huge");
        var (still, context) = Still(fake);
        still.MaxBytes = 1024 * 1024;

        var error = await Assert.ThrowsAsync<StillFailedException>(() => Take(still, context, CancellationToken.None));

        Assert.Equal("rpicam-still wrote more than 1 MB", error.Message);
    }

    [Fact]
    public async Task CallerThatGivesUp_GetsACancellation_AndTheInputResumes()
    {
        using var fake = new FakeRpicam(videoName: "", stillMode: "hang");
        var (still, context) = Still(fake);
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Take(still, context, giveUp.Token));

        Assert.Equal(InputState.Starting, context.State);
    }

    private static (RaspicamStill Still, SourceContext Context) Still(FakeRpicam fake)
    {
        var still = new RaspicamStill([])
        {
            SearchPath = fake.Bin,
            TerminateGrace = TimeSpan.FromMilliseconds(200),
        };
        var context = new SourceContext(0, new LatestFrameHub(TimeProvider.System), new FramePool(), new CapturingLogger());
        return (still, context);
    }

    private static async Task<byte[]> Take(RaspicamStill still, SourceContext context, CancellationToken cancellation)
    {
        var request = new StillRequest(context.Time.GetTimestamp(), cancellation);
        await still.TakeAsync(context, request, CancellationToken.None).WaitAsync(Bound, CancellationToken.None);
        return await request.Done.Task.WaitAsync(Bound, CancellationToken.None);
    }
}
