using System.Text;

namespace MjpgStreamer.LoadClient.Tests;

public sealed class MultipartStreamParserTests
{
    private static readonly byte[] FramePayload1 = StreamBytes.TrickyPayload(300);
    private static readonly byte[] FramePayload2 = StreamBytes.TrickyPayload(7);

    /// <summary>Head, first boundary, three parts (one empty) and the boundary after the last one.</summary>
    private static readonly byte[] ThreeFrames =
    [
        .. Encoding.ASCII.GetBytes(StreamBytes.ResponseHead),
        .. StreamBytes.Part(FramePayload1, "1795604198.384874"),
        .. StreamBytes.Part(FramePayload2, "1795604198.418207"),
        .. StreamBytes.Part([], "0.000000"),
    ];

    private static readonly (long, long)[] ExpectedFrames =
    [
        (300, 1_795_604_198_384_874),
        (7, 1_795_604_198_418_207),
        (0, 0),
    ];

    [Fact]
    public void Counts_every_frame_when_the_stream_arrives_in_one_read()
    {
        var result = ParserFeeder.Feed([ThreeFrames]);

        Assert.Null(result.Error);
        Assert.Equal(ExpectedFrames, result.Frames);
        Assert.Equal(200, result.Parser.StatusCode);
    }

    [Fact]
    public void Counts_every_frame_whatever_byte_the_read_is_split_at()
    {
        for (var split = 1; split < ThreeFrames.Length; split++)
        {
            var result = ParserFeeder.Feed(ParserFeeder.SplitAt(ThreeFrames, split));

            Assert.True(result.Error is null, $"split at {split}: {result.Error}");
            Assert.Equal(ExpectedFrames, result.Frames);
        }
    }

    [Fact]
    public void Counts_every_frame_when_the_stream_arrives_in_pairs_of_splits()
    {
        // Two splits cover every header line cut twice (start and end both inside the line).
        for (var first = 1; first < ThreeFrames.Length; first += 3)
        {
            for (var second = first + 1; second < ThreeFrames.Length; second += 5)
            {
                var result = ParserFeeder.Feed(ParserFeeder.SplitAt(ThreeFrames, first, second));

                Assert.True(result.Error is null, $"split at {first},{second}: {result.Error}");
                Assert.Equal(ExpectedFrames, result.Frames);
            }
        }
    }

    [Fact]
    public void Counts_every_frame_when_the_stream_arrives_one_byte_at_a_time()
    {
        var result = ParserFeeder.Feed(ThreeFrames.Select(b => new[] { b }));

        Assert.Null(result.Error);
        Assert.Equal(ExpectedFrames, result.Frames);
    }

    [Fact]
    public void Skips_payloads_larger_than_the_receive_buffer()
    {
        var big = StreamBytes.TrickyPayload(200_000);
        byte[] stream = [.. Encoding.ASCII.GetBytes(StreamBytes.ResponseHead), .. StreamBytes.Part(big, "5.000001"), .. StreamBytes.Part(big, "6.5")];

        var result = ParserFeeder.Feed([stream], bufferSize: 8192);

        Assert.Null(result.Error);
        Assert.Equal([(200_000L, 5_000_001L), (200_000L, 6_500_000L)], result.Frames);
    }

    [Fact]
    public void Reports_a_frame_as_soon_as_its_last_payload_byte_arrives()
    {
        var part = StreamBytes.Part(FramePayload2, "1.000000");
        byte[] stream = [.. Encoding.ASCII.GetBytes(StreamBytes.ResponseHead), .. part];
        var lastPayloadByte = stream.Length - "\r\n--boundarydonotcross\r\n".Length;

        var result = ParserFeeder.Feed([stream[..lastPayloadByte]]);

        Assert.Null(result.Error);
        Assert.Single(result.Frames);
    }

    [Fact]
    public void Accepts_lowercase_headers_bare_newlines_and_a_boundary_named_by_the_server()
    {
        var text = "HTTP/1.1 200 OK\ncontent-type: multipart/x-mixed-replace; boundary=\"frame\"\n\n--frame\r\n"
            + "content-type: image/jpeg\r\ncontent-length: 3\r\nx-timestamp: 42.5\r\n\r\nabc\r\n--frame\r\n";

        var result = ParserFeeder.Feed([Encoding.ASCII.GetBytes(text)]);

        Assert.Null(result.Error);
        Assert.Equal([(3L, 42_500_000L)], result.Frames);
    }

    [Fact]
    public void A_part_without_timestamp_is_counted_without_one()
    {
        var text = StreamBytes.ResponseHead + "Content-Type: image/jpeg\r\nContent-Length: 2\r\n\r\nab\r\n--boundarydonotcross\r\n";

        var result = ParserFeeder.Feed([Encoding.ASCII.GetBytes(text)]);

        Assert.Null(result.Error);
        Assert.Equal([(2L, -1L)], result.Frames);
    }

    [Theory]
    [InlineData("HTTP/1.0 404 Not Found\r\n\r\n", "refused")]
    [InlineData("SSH-2.0-OpenSSH\r\n", "not an HTTP response")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "chunked")]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n", "not a multipart stream")]
    [InlineData("HTTP/1.0 200 OK\r\n\r\nhello\r\n", "expected a boundary")]
    public void Rejects_a_response_that_is_not_a_stream(string response, string reason)
    {
        var result = ParserFeeder.Feed([Encoding.ASCII.GetBytes(response)]);

        Assert.NotNull(result.Error);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Frames);
    }

    [Fact]
    public void Reports_the_status_code_the_server_refused_with()
    {
        var result = ParserFeeder.Feed([Encoding.ASCII.GetBytes("HTTP/1.0 401 Unauthorized\r\n\r\n")]);

        Assert.Equal(401, result.Parser.StatusCode);
        Assert.Contains("401 Unauthorized", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(299)]
    [InlineData(301)]
    [InlineData(302)] // swallows exactly the CRLF: the boundary line would still match if it were not checked
    [InlineData(320)]
    public void A_wrong_content_length_breaks_the_stream(int claimedLength)
    {
        var text = StreamBytes.ResponseHead + $"Content-Type: image/jpeg\r\nContent-Length: {claimedLength}\r\nX-Timestamp: 1.0\r\n\r\n";
        byte[] stream = [.. Encoding.ASCII.GetBytes(text), .. FramePayload1, .. "\r\n--boundarydonotcross\r\nContent-Type: image/jpeg\r\n"u8];

        var result = ParserFeeder.Feed([stream]);

        Assert.NotNull(result.Error);
        Assert.Contains("wrong Content-Length", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Content-Type: image/jpeg\r\n\r\nabc", "no Content-Length")]
    [InlineData("Content-Length: -4\r\n\r\n", "bad Content-Length")]
    [InlineData("Content-Length: 12x\r\n\r\n", "bad Content-Length")]
    [InlineData("Content-Length: 3\r\nX-Timestamp: yesterday\r\n\r\nabc", "bad X-Timestamp")]
    [InlineData("no colon here\r\n\r\n", "bad part header")]
    public void Rejects_bad_part_headers(string part, string reason)
    {
        var result = ParserFeeder.Feed([Encoding.ASCII.GetBytes(StreamBytes.ResponseHead + part)]);

        Assert.NotNull(result.Error);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_closing_boundary_ends_the_stream_as_an_error()
    {
        var result = ParserFeeder.Feed([Encoding.ASCII.GetBytes("HTTP/1.0 200 OK\r\n\r\n--boundarydonotcross--\r\n")]);

        Assert.Contains("ended the multipart stream", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_line_without_end_is_an_error_not_a_hang()
    {
        var endless = Encoding.ASCII.GetBytes(StreamBytes.ResponseHead + "X-Junk: " + new string('a', MultipartStreamParser.MaxLineLength));

        var result = ParserFeeder.Feed([endless]);

        Assert.Contains("longer than", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Stays_failed_after_an_error()
    {
        var parser = new MultipartStreamParser();
        Assert.Equal(ParseStatus.Error, parser.Parse("junk\r\n"u8, out _));

        Assert.Equal(ParseStatus.Error, parser.Parse(Encoding.ASCII.GetBytes(StreamBytes.ResponseHead), out var consumed));
        Assert.Equal(0, consumed);
    }
}
