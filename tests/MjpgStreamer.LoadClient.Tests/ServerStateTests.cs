using System.Text;
using System.Text.Json;

namespace MjpgStreamer.LoadClient.Tests;

public sealed class ServerStateTests
{
    private const string Example =
        """
        {"uptime_s": 12.3,
         "inputs": [{"id": 0, "plugin": "input_file.so", "state": "streaming", "frames": 1234, "fps_captured": 30.0},
                    {"id": 1, "plugin": "input_uvc.so", "state": "no_device", "frames": 7}],
         "outputs": [{"id": 0, "plugin": "output_http.so", "clients": 3}],
         "gc": {"gen0": 11, "gen1": 2, "gen2": 1}}
        """;

    private static ServerState Parse(string json, int input) => ServerState.Parse(Encoding.UTF8.GetBytes(json), input);

    [Fact]
    public void Reads_the_input_frame_count_gc_counts_and_uptime()
    {
        var state = Parse(Example, 0);

        Assert.Equal(new ServerState(1234, 11, 2, 1, 12.3), state);
    }

    [Fact]
    public void Finds_the_input_by_its_id()
    {
        var reordered = """{"inputs": [{"id": 1, "frames": 7}, {"id": 0, "frames": 1234}]}""";

        Assert.Equal(1234, Parse(reordered, 0).InputFrames);
        Assert.Equal(7, Parse(reordered, 1).InputFrames);
    }

    [Fact]
    public void Falls_back_to_the_position_when_inputs_have_no_id()
    {
        Assert.Equal(9, Parse("""{"inputs": [{"frames": 5}, {"frames": 9}]}""", 1).InputFrames);
    }

    [Fact]
    public void Missing_figures_are_unknown_not_zero()
    {
        var state = Parse("""{"inputs": [{"id": 0, "frames": 5}]}""", 3);

        Assert.Equal(new ServerState(null, null, null, null, null), state);
    }

    [Fact]
    public void Deltas_need_both_ends()
    {
        Assert.Equal(30, ServerState.Delta(1234, 1264));
        Assert.Null(ServerState.Delta(null, 1264));
        Assert.Null(ServerState.Delta(1234, null));
    }

    [Theory]
    [InlineData("<html>404</html>")]
    [InlineData("[1, 2]")]
    [InlineData("")]
    public void Rejects_what_is_not_a_json_object(string body)
    {
        Assert.ThrowsAny<JsonException>(() => Parse(body, 0));
    }

    [Fact]
    public void Takes_the_body_of_a_200_response()
    {
        var response = "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"a\":1}"u8;

        Assert.Equal("{\"a\":1}"u8.ToArray(), HttpGet.ExtractBody(response, "/state"));
    }

    [Theory]
    [InlineData("HTTP/1.0 404 Not Found\r\n\r\nnope", "404 Not Found")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n{\"a\":1}\r\n0\r\n\r\n", "transfer-encoded")]
    [InlineData("garbage", "not an HTTP response")]
    public void Refuses_other_responses_with_a_reason(string response, string reason)
    {
        var error = Assert.Throws<IOException>(() => HttpGet.ExtractBody(Encoding.ASCII.GetBytes(response), "/state"));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
