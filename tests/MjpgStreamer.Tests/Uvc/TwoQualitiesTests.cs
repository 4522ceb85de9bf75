using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MjpgStreamer.Tests.Http;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Uvc;

/// <summary>
/// One camera, two qualities (issue 14) on the fake camera capturing 1920x1080 MJPEG at 30 fps: snapshots and stills
/// are full size, a `width=640&amp;fps=10` stream is 640x360 at 10 fps, and neither interrupts the other (the still is
/// the next live frame, with no switch of the camera).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TwoQualitiesTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static Task<ServerProcess> StartAsync(FakeCamera camera) =>
        ServerProcess.StartAsync(["--pause-file", Path.Combine(camera.Folder, "paused.lock"), "-i", $"input_uvc.so -d {camera.Device} -r 1920x1080 -f 30", "-o", "output_http.so -p 0 -l 127.0.0.1"], environment: camera.Environment());

    private static double Captured(Multipart.Part part) =>
        double.Parse(part.Headers["X-Timestamp"], NumberStyles.Float, CultureInfo.InvariantCulture);

    private static int FrameNumber(byte[] jpeg) => int.Parse(FakeCamera.ReadComment(jpeg)!["frame"], CultureInfo.InvariantCulture);

    [Fact]
    public async Task FullSizeSnapshotsAndStills_AndA640StreamAt10Fps_DoNotInterruptEachOther()
    {
        using var camera = new FakeCamera();
        await using var server = await StartAsync(camera);
        await ServerState.WaitForAsync(server, "streaming");

        // Another shape at the full rate: 480 wide is the DCT's 1/4, no resize.
        await using (var quarter = await MjpegClient.ConnectAsync(server.Port, "/?action=stream&width=480"))
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal((480, 270), ShapedStreamTests.SofSize((await quarter.NextAsync(Bound)).Jpeg));
            }
        }

        await using var small = await MjpegClient.ConnectAsync(server.Port, "/?action=stream&width=640&fps=10");
        var first = await small.NextAsync(Bound);
        Assert.Equal((640, 360), ShapedStreamTests.SofSize(first.Jpeg));

        // The small stream is read for 5 s while snapshots and stills are taken.
        var window = TimeSpan.FromSeconds(5);
        var reading = Task.Run(async () =>
        {
            var parts = new List<(double Captured, (int, int) Size)>();
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < window)
            {
                var part = await small.NextAsync(Bound);
                parts.Add((Captured(part), ShapedStreamTests.SofSize(part.Jpeg)));
            }

            return parts;
        });

        for (var i = 0; i < 3; i++)
        {
            var snapshot = await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot");
            Assert.Equal((200, (1920, 1080)), (snapshot.Status, ShapedStreamTests.SofSize(snapshot.Body)));
            var still = await RawHttp.GetResponseAsync(server.Port, "/?action=still");
            Assert.Equal((200, (1920, 1080)), (still.Status, ShapedStreamTests.SofSize(still.Body)));
            Assert.Equal("1920x1080", FakeCamera.ReadComment(still.Body)!["size"]);
            // The still is a live frame taken after the request: newer than the snapshot before it.
            Assert.True(FrameNumber(still.Body) > FrameNumber(snapshot.Body), $"still frame {FrameNumber(still.Body)} after snapshot frame {FrameNumber(snapshot.Body)}");
            await Task.Delay(TimeSpan.FromMilliseconds(700));
        }

        var parts = await reading;
        Assert.All(parts, p => Assert.Equal((640, 360), p.Size));
        var rate = (parts.Count - 1) / (parts[^1].Captured - parts[0].Captured);
        Assert.InRange(rate, 9, 11);
        // No gap: consecutive frames 0.1 s apart by their capture times, never a stalled stream (a camera switch
        // for a still would stop the capture for a few frames).
        var gaps = parts.Zip(parts.Skip(1), (a, b) => b.Captured - a.Captured).ToList();
        Assert.True(gaps.Max() < 0.3, $"largest gap {gaps.Max():0.000} s");
        Assert.All(gaps, g => Assert.True(g > 0, "a frame sent twice"));

        // The camera was never switched; the 640 shape scaled only the frames it sent.
        Assert.Contains("?action=still sends the next frame, with no switch", server.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("still taken", server.Stderr, StringComparison.Ordinal);
        var shape = Assert.Single((await ServerState.InputAsync(server)).GetProperty("shapes").EnumerateArray());
        Assert.Equal("w640 q80 10fps", shape.GetProperty("shape").GetString());
        Assert.Equal((640, 360), (shape.GetProperty("width").GetInt32(), shape.GetProperty("height").GetInt32()));
        var encoded = shape.GetProperty("frames_encoded").GetInt64();
        var notDue = shape.GetProperty("frames_not_due").GetInt64();
        Assert.True(notDue > encoded, $"{encoded} frames encoded, {notDue} not due: a 10 fps shape of a 30 fps camera scales about one in three");
        Assert.Equal(JsonValueKind.Number, shape.GetProperty("mean_ms").ValueKind);
    }

    [Fact]
    public async Task ASmallerCapture_StillSwitchesToTheLargestSize()
    {
        // -still keeps its meaning when the camera's largest size is larger than the capture: 1280x720 → 1920x1080.
        using var camera = new FakeCamera();
        await using var server = await ServerProcess.StartAsync(["--pause-file", Path.Combine(camera.Folder, "paused.lock"), "-i", $"input_uvc.so -d {camera.Device} -r 1280x720 -f 30", "-o", "output_http.so -p 0 -l 127.0.0.1"], environment: camera.Environment());
        await ServerState.WaitForAsync(server, "streaming");

        var still = await RawHttp.GetResponseAsync(server.Port, "/?action=still");

        Assert.Equal((200, (1920, 1080)), (still.Status, ShapedStreamTests.SofSize(still.Body)));
        await Eventually.UntilAsync(() => Task.FromResult(server.Stderr.Contains("still taken", StringComparison.Ordinal)), () => "the switch logged");
        Assert.DoesNotContain("with no switch", server.Stderr, StringComparison.Ordinal);
    }
}
