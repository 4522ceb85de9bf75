using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Http;

/// <summary>
/// Per-client fps= and -drop_same_frames on the real executable: the rates a client sees over a few seconds
/// (bounded windows; the figures have margins for a loaded machine).
/// </summary>
public sealed class ClientShapingProcessTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(4);

    /// <summary>
    /// Frames received in <see cref="Window"/> after the first one, and their rate per second by their capture times
    /// (X-Timestamp): what the server chose to send, whatever the reading test's own stalls on a loaded machine (a
    /// stall leaves frames in the socket that would otherwise be read in a burst and counted against the wall clock).
    /// </summary>
    private static async Task<(int Frames, double PerSecond)> CountAsync(MjpegClient client)
    {
        var first = Captured(await client.NextAsync(TimeSpan.FromSeconds(10)));
        var clock = Stopwatch.StartNew();
        var frames = 0;
        var last = first;
        while (clock.Elapsed < Window)
        {
            Multipart.Part part;
            try
            {
                part = await client.NextAsync(Window - clock.Elapsed + TimeSpan.FromMilliseconds(1));
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                break;
            }

            if (clock.Elapsed > Window)
            {
                break;
            }

            frames++;
            last = Captured(part);
        }

        return (frames, frames == 0 ? 0 : frames / Math.Max(last - first, 0.001));
    }

    private static double Captured(Multipart.Part part) =>
        double.Parse(part.Headers["X-Timestamp"], NumberStyles.Float, CultureInfo.InvariantCulture);

    private static async Task<JsonElement> ClientsAsync(ServerProcess server) =>
        (await ServerState.GetJsonAsync(server, "/state")).GetProperty("outputs")[0].GetProperty("clients");

    [Fact]
    public async Task A_client_asking_fps_5_gets_5_fps_while_another_gets_the_full_rate()
    {
        await using var server = await ServerProcess.StartAsync(["--pause-file", "none", "-i", "input_testpattern.so -r 320x240 -f 30", "-o", "output_http.so -p 0 -l 127.0.0.1"]);
        await using var limited = await MjpegClient.ConnectAsync(server.Port, "/?action=stream&fps=5");
        await using var full = await MjpegClient.ConnectAsync(server.Port, "/?action=stream");
        var counts = await Task.WhenAll(CountAsync(limited), CountAsync(full));
        var (limitedFrames, limitedRate) = counts[0];
        var (fullFrames, fullRate) = counts[1];
        Assert.True(limitedRate is >= 4.5 and <= 5.5, $"fps=5 client: {limitedFrames} frames, {limitedRate:F2} fps");
        Assert.True(fullRate >= 20, $"unlimited client: {fullFrames} frames, {fullRate:F2} fps");

        var clients = await ClientsAsync(server);
        var asked = clients.EnumerateArray().Single(c => c.GetProperty("path").GetString() == "/?action=stream&fps=5");
        Assert.Equal(5, asked.GetProperty("fps_asked").GetDouble());
        Assert.InRange(asked.GetProperty("fps").GetDouble(), 4, 6);
        Assert.Equal(JsonValueKind.Null, clients.EnumerateArray().Single(c => c.GetProperty("path").GetString() == "/?action=stream").GetProperty("fps_asked").ValueKind);

        var bad = await RawHttp.GetResponseAsync(server.Port, "/stream?fps=abc");
        Assert.Equal(400, bad.Status);
        Assert.EndsWith("fps 'abc' is not a number greater than 0 and at most 120", bad.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_fps_is_every_clients_default_and_a_client_may_ask_more()
    {
        await using var server = await ServerProcess.StartAsync(["--pause-file", "none", "-i", "input_testpattern.so -r 320x240 -f 30", "-o", "output_http.so -p 0 -l 127.0.0.1 -stream_fps 5"]);
        await using var byDefault = await MjpegClient.ConnectAsync(server.Port, "/stream");
        await using var more = await MjpegClient.ConnectAsync(server.Port, "/?action=stream_0&fps=15");
        var counts = await Task.WhenAll(CountAsync(byDefault), CountAsync(more));
        Assert.True(counts[0].PerSecond is >= 4.5 and <= 5.5, $"default client: {counts[0].Frames} frames, {counts[0].PerSecond:F2} fps");
        Assert.True(counts[1].PerSecond is >= 12 and <= 16, $"fps=15 client: {counts[1].Frames} frames, {counts[1].PerSecond:F2} fps");
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(0)]
    public async Task On_a_static_input_drop_same_frames_sends_the_repeat_only_as_the_keep_alive(int dropSame)
    {
        var folder = TestMedia.NewTempFolder();
        File.Copy(Path.Combine(TestMedia.FramesFolder, "frame_007.jpg"), Path.Combine(folder, "one.jpg"));
        await using var server = await ServerProcess.StartAsync(["--pause-file", "none", "-i", $"input_file.so -f {folder} -e -d 0.05", "-o", $"output_http.so -p 0 -l 127.0.0.1 -drop_same_frames {dropSame}"]);
        await using var client = await MjpegClient.ConnectAsync(server.Port);
        var (frames, rate) = await CountAsync(client);
        var dropped = (await ClientsAsync(server))[0].GetProperty("frames_dropped_same").GetInt64();
        if (dropSame > 0)
        {
            // About one a second (the keep-alive), not 20.
            Assert.True(frames is >= 3 and <= 5, $"{frames} frames in {Window.TotalSeconds} s ({rate:F2} fps)");
            Assert.True(dropped >= 30, $"{dropped} dropped as same");
        }
        else
        {
            Assert.True(rate >= 12, $"{frames} frames in {Window.TotalSeconds} s ({rate:F2} fps)");
            Assert.Equal(0, dropped);
        }
    }
}
