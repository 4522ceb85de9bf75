using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Http;

/// <summary>A snapshot never hangs: a fresh frame, else the last one with its age, else 503 — within about 3 s.</summary>
public sealed class SnapshotTests
{
    [Fact]
    public async Task A_stalled_source_gives_the_last_frame_with_its_age_and_no_source_ever_gives_503()
    {
        // Watch mode with no new files: the input stalls after the one frame written below.
        var folder = TestMedia.NewTempFolder();
        await using var server = await ServerProcess.StartAsync(["-i", $"input_file.so -f {folder} -d 0", "-o", "output_http.so -p 0 -l 127.0.0.1"]);

        var never = await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot");
        Assert.Equal(503, never.Status);
        Assert.StartsWith("503: Service Unavailable!\r\nno frame from input 0: ", never.BodyText, StringComparison.Ordinal);

        var frame = File.ReadAllBytes(Path.Combine(TestMedia.FramesFolder, "frame_007.jpg"));
        // Written beside the folder and moved in: in watch mode every file closed in the folder counts, a .part too.
        var staging = Path.Combine(Path.GetDirectoryName(folder)!, Path.GetFileName(folder) + ".part");
        File.WriteAllBytes(staging, frame);
        File.Move(staging, Path.Combine(folder, "one.jpg"));
        await Eventually.UntilAsync(async () => (await HttpBehaviourTests.GetStateAsync(server.Port)).Contains("\"frames\": 1", StringComparison.Ordinal), "the input has read the file");

        var stale = await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot");
        Assert.Equal(200, stale.Status);
        Assert.Equal(frame, stale.Body);
        var age = double.Parse(stale.Header("X-Frame-Age")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(age >= 2.5, $"X-Frame-Age {age}");
        Assert.False(server.HasExited);
    }
}
