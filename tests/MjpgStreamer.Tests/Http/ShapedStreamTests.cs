using System.Text.Json;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Http;

/// <summary>
/// Scaled streams on the real executable (issue 14): a 1920x1080 test pattern, streams that ask width= (or an output
/// with -scale) get the smaller picture while snapshots stay full size; one encode per frame per shape, however many
/// clients read it; a shape nobody reads is gone; bad parameters get 400.
/// </summary>
public sealed class ShapedStreamTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static Task<ServerProcess> StartAsync(string outputArgs = "") =>
        ServerProcess.StartAsync(["--pause-file", "none", "-i", "input_testpattern.so -r 1920x1080 -f 10", "-o", $"output_http.so -p 0 -l 127.0.0.1 {outputArgs}".TrimEnd()]);

    [Fact]
    public async Task AWidthStream_Is480x270_WhileASnapshotIsFullSize()
    {
        await using var server = await StartAsync();
        await using var small = await MjpegClient.ConnectAsync(server.Port, "/?action=stream&width=480");
        await using var full = await MjpegClient.ConnectAsync(server.Port, "/stream");

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal((480, 270), SofSize((await small.NextAsync(Bound)).Jpeg));
        }

        Assert.Equal((1920, 1080), SofSize((await full.NextAsync(Bound)).Jpeg));
        var snapshot = await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot");
        Assert.Equal(200, snapshot.Status);
        Assert.Equal((1920, 1080), SofSize(snapshot.Body));
        var smallSnapshot = await RawHttp.GetResponseAsync(server.Port, "/snapshot?width=960&quality=50");
        Assert.Equal(200, smallSnapshot.Status);
        Assert.Equal("image/jpeg", smallSnapshot.Header("Content-Type"));
        Assert.Equal((960, 540), SofSize(smallSnapshot.Body));
        Assert.Equal((480, 270), SofSize((await small.NextAsync(Bound)).Jpeg));

        // /state: the small client's shape; the full-size client has none.
        var clients = (await ServerState.GetJsonAsync(server, "/state")).GetProperty("outputs")[0].GetProperty("clients").EnumerateArray().ToList();
        var shaped = clients.Single(c => c.GetProperty("path").GetString()!.Contains("width=480", StringComparison.Ordinal)).GetProperty("shape");
        Assert.Equal(("w480 q80", 480, 270, 80), (shaped.GetProperty("shape").GetString(), shaped.GetProperty("width").GetInt32(), shaped.GetProperty("height").GetInt32(), shaped.GetProperty("quality").GetInt32()));
        Assert.Equal(JsonValueKind.Null, clients.Single(c => c.GetProperty("path").GetString() == "/stream").GetProperty("shape").ValueKind);
        var output = (await ServerState.GetJsonAsync(server, "/state")).GetProperty("outputs")[0];
        Assert.Equal((JsonValueKind.Null, JsonValueKind.Null), (output.GetProperty("stream_size").ValueKind, output.GetProperty("stream_quality").ValueKind));
    }

    [Fact]
    public async Task TwoClientsOfOneShape_CostOneEncodePerFrame_AndTheShapeGoesWhenTheyLeave()
    {
        await using var server = await StartAsync();
        var a = await MjpegClient.ConnectAsync(server.Port, "/?action=stream&width=480&quality=60");
        var b = await MjpegClient.ConnectAsync(server.Port, "/stream?width=480&quality=60");
        await a.NextAsync(Bound);
        await b.NextAsync(Bound);

        var (published0, shape0) = await ShapeStateAsync(server);
        // Both clients read for a while (about 2 s at 10 fps).
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal((480, 270), SofSize((await a.NextAsync(Bound)).Jpeg));
            Assert.Equal((480, 270), SofSize((await b.NextAsync(Bound)).Jpeg));
        }

        var (published1, shape1) = await ShapeStateAsync(server);
        Assert.Equal("w480 q60", shape1.GetProperty("shape").GetString());
        Assert.Equal(2, shape1.GetProperty("readers").GetInt32());
        Assert.Equal((480, 270), (shape1.GetProperty("width").GetInt32(), shape1.GetProperty("height").GetInt32()));
        Assert.Equal(0, shape1.GetProperty("failures").GetInt64());
        Assert.True(shape1.GetProperty("mean_ms").GetDouble() > 0);
        var published = published1 - published0;
        var encoded = shape1.GetProperty("frames_encoded").GetInt64() - shape0.GetProperty("frames_encoded").GetInt64();
        // One encode per frame, shared: not two (each client's own), and not many frames skipped.
        Assert.True(published >= 15, $"{published} frames published");
        Assert.InRange(encoded, published - 3, published + 2);

        await a.DisposeAsync();
        await Eventually.UntilAsync(async () => (await ShapesAsync(server)) is [var one] && one.GetProperty("readers").GetInt32() == 1, "one reader left");
        await b.DisposeAsync();
        await Eventually.UntilAsync(async () => (await ShapesAsync(server)).Count == 0, "the shape gone");
    }

    [Fact]
    public async Task ScaleOnTheOutput_ShrinksItsStreams_NotItsSnapshots_AndAUrlWidthOverridesIt()
    {
        await using var server = await StartAsync("-scale 1/4 -stream_quality 70");
        await using var plain = await MjpegClient.ConnectAsync(server.Port, "/?action=stream");
        await using var wide = await MjpegClient.ConnectAsync(server.Port, "/?action=stream&width=960");

        Assert.Equal((480, 270), SofSize((await plain.NextAsync(Bound)).Jpeg));
        Assert.Equal((960, 540), SofSize((await wide.NextAsync(Bound)).Jpeg));
        Assert.Equal((1920, 1080), SofSize((await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot")).Body));
        var shapes = (await ShapesAsync(server)).Select(s => s.GetProperty("shape").GetString()).Order().ToList();
        Assert.Equal(["1/4 q70", "w960 q70"], shapes);
        var output = (await ServerState.GetJsonAsync(server, "/state")).GetProperty("outputs")[0];
        Assert.Equal(("1/4", 70), (output.GetProperty("stream_size").GetString(), output.GetProperty("stream_quality").GetInt32()));
    }

    [Fact]
    public async Task AWidthAndAnFps_Together_GiveTheSmallPicture_AtTheAskedRate()
    {
        await using var server = await StartAsync();
        await using var client = await MjpegClient.ConnectAsync(server.Port, "/?action=stream&width=480&quality=50&fps=5");

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal((480, 270), SofSize((await client.NextAsync(Bound)).Jpeg));
        }

        var listed = (await ServerState.GetJsonAsync(server, "/state")).GetProperty("outputs")[0].GetProperty("clients")[0];
        Assert.Equal(5, listed.GetProperty("fps_asked").GetDouble());
        Assert.Equal("w480 q50 5fps", listed.GetProperty("shape").GetProperty("shape").GetString());
    }

    [Fact]
    public async Task TheHelp_ListsTheShapeOptions()
    {
        var run = await ProgramRun.RunAsync("-o", "output_http.so --help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(" [-stream_size ]", run.Stdout, StringComparison.Ordinal);
        Assert.Contains(" [-scale ]", run.Stdout, StringComparison.Ordinal);
        Assert.Contains(" [-stream_quality ]", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/?action=stream&width=abc", "width 'abc' is not a whole number from 1 to 16384")]
    [InlineData("/?action=stream&quality=0", "quality '0' is not a whole number from 1 to 100")]
    [InlineData("/stream?quality=101", "quality '101' is not a whole number from 1 to 100")]
    [InlineData("/?action=snapshot&width=abc", "width 'abc' is not a whole number from 1 to 16384")]
    [InlineData("/snapshot?quality=101", "quality '101' is not a whole number from 1 to 100")]
    public async Task BadParameters_Get400_WithTheReason(string target, string reason)
    {
        await using var server = await StartAsync();

        var response = await RawHttp.GetResponseAsync(server.Port, target);

        Assert.Equal(400, response.Status);
        Assert.EndsWith("\r\n" + reason, response.BodyText, StringComparison.Ordinal);
        Assert.Empty(await ShapesAsync(server));
    }

    private static async Task<List<JsonElement>> ShapesAsync(ServerProcess server) =>
        [.. (await ServerState.InputAsync(server)).GetProperty("shapes").EnumerateArray()];

    private static async Task<(long Published, JsonElement Shape)> ShapeStateAsync(ServerProcess server)
    {
        var input = await ServerState.InputAsync(server);
        return (input.GetProperty("frames").GetInt64(), Assert.Single(input.GetProperty("shapes").EnumerateArray()));
    }

    internal static (int Width, int Height) SofSize(byte[] jpeg)
    {
        var pos = 2;
        while (pos + 9 <= jpeg.Length && jpeg[pos] == 0xFF)
        {
            if (jpeg[pos + 1] is 0xC0 or 0xC1 or 0xC2)
            {
                return ((jpeg[pos + 7] << 8) | jpeg[pos + 8], (jpeg[pos + 5] << 8) | jpeg[pos + 6]);
            }

            pos += 2 + ((jpeg[pos + 2] << 8) | jpeg[pos + 3]);
        }

        return (0, 0);
    }
}
