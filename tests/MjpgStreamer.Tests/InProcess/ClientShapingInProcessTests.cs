using System.Text.Json;
using MjpgStreamer.Http;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.InProcess;

/// <summary>fps= validation and -drop_same_frames on the HTTP output, hosted in the test process with a hand-fed input and a fake clock.</summary>
public sealed class ClientShapingInProcessTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("/?action=stream&fps=abc", "abc")]
    [InlineData("/?action=stream&fps=0", "0")]
    [InlineData("/?action=stream&fps=-1", "-1")]
    [InlineData("/?action=stream&fps=1000", "1000")]
    [InlineData("/stream?fps=", "")]
    [InlineData("/?action=stream_0&fps=2,5", "2,5")]
    public async Task A_stream_with_a_bad_fps_gets_400_with_the_reason_and_is_not_listed(string target, string value)
    {
        await using var server = await InProcessServer.StartAsync();
        var response = await RawHttp.GetResponseAsync(server.Port, target);
        Assert.Equal(400, response.Status);
        Assert.Equal($"400: Not Found!\r\nfps '{value}' is not a number greater than 0 and at most 120", response.BodyText);
        Assert.Empty(server.Output.Clients.Current);
    }

    [Fact]
    public async Task A_stream_with_fps_is_served_and_state_lists_the_fps_asked()
    {
        await using var server = await InProcessServer.StartAsync(o => o with { StreamFps = 10 });
        await using var limited = await MjpegClient.ConnectAsync(server.Port, "/?action=stream&fps=5&t=1");
        await using var byDefault = await MjpegClient.ConnectAsync(server.Port, "/stream");
        await Eventually.UntilAsync(() => server.Output.Clients.Current.Count == 2, "both clients are listed");
        server.Source.Publish(1);
        Assert.Equal(1, HandFedSource.Number((await limited.NextAsync(Bound)).Jpeg));
        Assert.Equal(1, HandFedSource.Number((await byDefault.NextAsync(Bound)).Jpeg));

        var state = JsonDocument.Parse((await RawHttp.GetResponseAsync(server.Port, "/state")).Body).RootElement;
        var clients = state.GetProperty("outputs")[0].GetProperty("clients").EnumerateArray().ToList();
        Assert.Equal(5.0, clients.Single(c => c.GetProperty("path").GetString()!.Contains("fps=5", StringComparison.Ordinal)).GetProperty("fps_asked").GetDouble());
        Assert.Equal(10.0, clients.Single(c => c.GetProperty("path").GetString() == "/stream").GetProperty("fps_asked").GetDouble());
        Assert.All(clients, c => Assert.Equal(0, c.GetProperty("frames_dropped_same").GetInt64()));
    }

    [Fact]
    public async Task Identical_frames_are_dropped_up_to_N_in_a_row_and_one_goes_out_after_a_second()
    {
        await using var server = await InProcessServer.StartAsync(o => o with { DropSameFrames = 3 });
        await using var reader = await MjpegClient.ConnectAsync(server.Port);
        await Eventually.UntilAsync(() => server.Output.Clients.Current.Count == 1, "the client is listed");
        var client = server.Output.Clients.Current[0];

        server.Source.Publish(1);
        Assert.Equal(1, HandFedSource.Number((await reader.NextAsync(Bound)).Jpeg));
        for (var dropped = 1; dropped <= 3; dropped++)
        {
            server.Source.Publish(1);
            await Eventually.UntilAsync(() => client.DroppedSame == dropped, $"identical frame {dropped} is dropped");
        }

        // After N dropped, the next identical frame goes out.
        var bytes = client.BytesSent;
        server.Source.Publish(1);
        Assert.Equal(1, HandFedSource.Number((await reader.NextAsync(Bound)).Jpeg));
        Assert.Equal(3, client.DroppedSame);
        Assert.True(client.BytesSent > bytes);

        server.Source.Publish(1);
        await Eventually.UntilAsync(() => client.DroppedSame == 4, "identical again: dropped");

        // A second after the last frame sent, an identical one goes out (the keep-alive).
        server.Time.Advance(StreamEndpoint.SameFrameKeepAlive);
        server.Source.Publish(1);
        Assert.Equal(1, HandFedSource.Number((await reader.NextAsync(Bound)).Jpeg));

        // A different frame always goes out.
        server.Source.Publish(2);
        Assert.Equal(2, HandFedSource.Number((await reader.NextAsync(Bound)).Jpeg));
        Assert.Equal(4, client.DroppedSame);

        var state = JsonDocument.Parse((await RawHttp.GetResponseAsync(server.Port, "/state")).Body).RootElement;
        Assert.Equal(4, state.GetProperty("outputs")[0].GetProperty("clients")[0].GetProperty("frames_dropped_same").GetInt64());
    }

    [Fact]
    public async Task Without_drop_same_frames_identical_frames_all_go_out()
    {
        await using var server = await InProcessServer.StartAsync();
        await using var reader = await MjpegClient.ConnectAsync(server.Port);
        await Eventually.UntilAsync(() => server.Output.Clients.Current.Count == 1, "the client is listed");
        for (var i = 0; i < 5; i++)
        {
            server.Source.Publish(1);
            Assert.Equal(1, HandFedSource.Number((await reader.NextAsync(Bound)).Jpeg));
        }

        Assert.Equal(0, server.Output.Clients.Current[0].DroppedSame);
    }
}
