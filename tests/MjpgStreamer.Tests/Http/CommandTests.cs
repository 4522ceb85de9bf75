using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Http;

/// <summary>The control API as Octolapse uses it: a probe, then commands; never a crash.</summary>
public sealed class CommandTests
{
    [Fact]
    public async Task Octolapses_probe_gets_the_server_header_and_an_answer()
    {
        await using var server = await ServerProcess.StartAsync(["-i", "input_testpattern.so -r 160x120", "-o", "output_http.so -p 0 -l 127.0.0.1"]);
        var probe = await RawHttp.GetResponseAsync(server.Port, "/?action=command&id=-1");
        Assert.Equal(200, probe.Status);
        Assert.StartsWith("MJPG-Streamer", probe.Header("Server"), StringComparison.Ordinal);
        Assert.Equal("-1: -1", probe.BodyText);

        var set = await RawHttp.GetResponseAsync(server.Port, "/?action=command&dest=0&plugin=0&id=9963776&group=1&value=5");
        Assert.Equal("9963776: -1", set.BodyText); // the test pattern has no controls
        Assert.False(server.HasExited);
    }
}
