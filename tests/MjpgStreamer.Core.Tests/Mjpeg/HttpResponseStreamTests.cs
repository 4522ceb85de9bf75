using System.Text;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Options;

namespace MjpgStreamer.Core.Tests.Mjpeg;

/// <summary>input_http's client side: the response head, the body (close-delimited, counted, chunked), the URL and its request.</summary>
public sealed class HttpResponseStreamTests
{
    private static readonly byte[] Plain = SyntheticJpeg.Create(320, 240, seed: 1);
    private static readonly byte[] WithThumbnail = SyntheticJpeg.Create(640, 480, seed: 2, thumbnail: true);

    [Theory]
    [InlineData("multipart/x-mixed-replace;boundary=boundarydonotcross", "boundarydonotcross")]
    [InlineData("multipart/x-mixed-replace; boundary=\"frame\"; charset=x", "frame")]
    [InlineData("multipart/x-mixed-replace; BOUNDARY=--myboundary", "myboundary")]
    [InlineData("image/jpeg", null)]
    public async Task The_head_gives_status_and_boundary(string contentType, string? boundary)
    {
        var response = new HttpResponseStream(new MemoryStream(Encoding.ASCII.GetBytes($"HTTP/1.0 200 OK\r\nServer: x\r\ncontent-type: {contentType}\r\n\r\nbody")));
        await response.ReadHeadAsync(CancellationToken.None);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("OK", response.ReasonPhrase);
        Assert.Equal(contentType, response.ContentType);
        Assert.Equal(boundary, response.Boundary);
        Assert.Equal("body", await ReadToEndAsync(response));
    }

    [Fact]
    public async Task A_head_with_bare_LF_lines_ends_at_its_own_blank_line_not_at_one_in_the_body()
    {
        var response = new HttpResponseStream(new MemoryStream("HTTP/1.0 200 OK\nContent-Type: multipart/x-mixed-replace;boundary=b\n\n--b\r\nContent-Type: image/jpeg\r\n\r\n"u8.ToArray()));
        await response.ReadHeadAsync(CancellationToken.None);

        Assert.Equal("b", response.Boundary);
        Assert.Equal("--b\r\nContent-Type: image/jpeg\r\n\r\n", await ReadToEndAsync(response));
    }

    [Fact]
    public async Task A_401_keeps_its_reason_and_challenge()
    {
        var response = new HttpResponseStream(new MemoryStream("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\nContent-Length: 0\r\n\r\n"u8.ToArray()));
        await response.ReadHeadAsync(CancellationToken.None);

        Assert.Equal(401, response.StatusCode);
        Assert.Equal("Unauthorized", response.ReasonPhrase);
        Assert.Equal("Basic realm=\"x\"", response.Authenticate);
        Assert.Equal("", await ReadToEndAsync(response));
    }

    [Theory]
    [InlineData("SSH-2.0-OpenSSH\r\n\r\n", typeof(InvalidDataException))]
    [InlineData("HTTP/1.0 2OO OK\r\n\r\n", typeof(InvalidDataException))]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Type: x", typeof(EndOfStreamException))]
    [InlineData("", typeof(EndOfStreamException))]
    public async Task Not_a_response_throws_with_a_reason(string text, Type exception)
    {
        var response = new HttpResponseStream(new MemoryStream(Encoding.ASCII.GetBytes(text)));

        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => response.ReadHeadAsync(CancellationToken.None));
        Assert.IsType(exception, thrown);
    }

    [Fact]
    public async Task A_counted_body_ends_at_its_length()
    {
        var response = new HttpResponseStream(new ChunkedStream("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA"u8.ToArray(), 3));
        await response.ReadHeadAsync(CancellationToken.None);

        Assert.Equal("hello", await ReadToEndAsync(response));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(1000, 100)]
    [InlineData(70000, 5000)]
    [InlineData(3, 65536)]
    public async Task A_chunked_body_is_de_chunked_exactly(int chunk, int piece)
    {
        var body = new byte[100_000];
        new Random(chunk).NextBytes(body);
        var data = Concat("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 12\r\n\r\n"u8.ToArray(), Chunked(body, chunk, extension: chunk % 2 == 1), "0\r\nTrailer: x\r\n\r\nJUNK"u8.ToArray());
        var response = new HttpResponseStream(new ChunkedStream(data, piece, seed: chunk));
        await response.ReadHeadAsync(CancellationToken.None);

        var read = new MemoryStream();
        await response.CopyToAsync(read);
        Assert.Equal(body, read.ToArray());
    }

    [Fact]
    public async Task A_broken_chunk_size_throws()
    {
        var response = new HttpResponseStream(new MemoryStream("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n"u8.ToArray()));
        await response.ReadHeadAsync(CancellationToken.None);

        await Assert.ThrowsAsync<InvalidDataException>(() => ReadToEndAsync(response));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task The_reader_takes_the_responses_boundary_and_reads_chunked_parts(bool lengths, bool chunked)
    {
        // The boundary comes from the response head; parts end at their length or at that boundary.
        var parts = new MemoryStream();
        foreach (var jpeg in new[] { Plain, WithThumbnail, Plain })
        {
            parts.Write("--cam\r\nContent-Type: image/jpeg\r\n"u8);
            if (lengths)
            {
                parts.Write(Encoding.ASCII.GetBytes($"Content-Length: {jpeg.Length}\r\n"));
            }

            parts.Write("\r\n"u8);
            parts.Write(jpeg);
            parts.Write("\r\n"u8);
        }

        parts.Write("--cam--\r\n"u8);
        var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=cam\r\n{(chunked ? "Transfer-Encoding: chunked\r\n" : "")}\r\n");
        var data = Concat(head, chunked ? Concat(Chunked(parts.ToArray(), 999, extension: false), "0\r\n\r\n"u8.ToArray()) : parts.ToArray());
        var response = new HttpResponseStream(new ChunkedStream(data, 4000, seed: 3));
        await response.ReadHeadAsync(CancellationToken.None);
        var reader = new MjpegStreamReader(response, response.Boundary, bufferSize: 16 * 1024);
        var frame = new FramePool().Rent();

        var frames = new List<byte[]>();
        while (await reader.ReadFrameAsync(frame))
        {
            frames.Add(frame.Data.ToArray());
        }

        Assert.Equal([Plain, WithThumbnail, Plain], frames);
        Assert.Equal(0, reader.CorruptFrames);
    }

    [Fact]
    public async Task Reading_chunked_parts_allocates_nothing_per_frame()
    {
        const int Frames = 3000;
        var one = Concat(Encoding.ASCII.GetBytes($"--b\r\nContent-Type: image/jpeg\r\nContent-Length: {WithThumbnail.Length}\r\n\r\n"), WithThumbnail, "\r\n"u8.ToArray());
        var data = Concat("HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=b\r\nTransfer-Encoding: chunked\r\n\r\n"u8.ToArray(), Chunked(Concat(Enumerable.Repeat(one, Frames).ToArray()), 4096, extension: false), "0\r\n\r\n"u8.ToArray());
        var response = new HttpResponseStream(new MemoryStream(data));
        await response.ReadHeadAsync(CancellationToken.None);
        var reader = new MjpegStreamReader(response, response.Boundary, bufferSize: 16 * 1024);
        var frame = new FramePool().Rent(WithThumbnail.Length);
        for (var i = 0; i < 500; i++)
        {
            Assert.True(await reader.ReadFrameAsync(frame));
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var count = 0;
        while (await reader.ReadFrameAsync(frame))
        {
            count++;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(Frames - 500, count);
        Assert.True(allocated < 32 * 1024, $"{allocated} bytes allocated for {count} frames");
    }

    [Fact]
    public void A_url_gives_host_port_path_and_credentials()
    {
        var url = UpstreamUrl.Parse("http://viewer:p%40ss:word@camera-pi:8081/?action=stream#x");

        Assert.Equal(new UpstreamUrl("camera-pi", 8081, "/?action=stream", "viewer", "p@ss:word"), url);
        Assert.Equal("http://viewer:***@camera-pi:8081/?action=stream", url.ToString());
        var request = Encoding.UTF8.GetString(url.BuildRequest());
        Assert.StartsWith("GET /?action=stream HTTP/1.1\r\nHost: camera-pi:8081\r\n", request, StringComparison.Ordinal);
        Assert.Contains("\r\nAuthorization: Basic " + Convert.ToBase64String("viewer:p@ss:word"u8.ToArray()) + "\r\n", request, StringComparison.Ordinal);
        Assert.EndsWith("\r\nConnection: close\r\n\r\n", request, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://camera", "camera", 80, "/")]
    [InlineData("HTTP://camera?action=stream", "camera", 80, "/?action=stream")]
    [InlineData("http://[::1]:8080/stream", "::1", 8080, "/stream")]
    [InlineData("http://10.0.0.2:81/video.mjpg", "10.0.0.2", 81, "/video.mjpg")]
    public void Urls_without_a_port_or_path_get_the_defaults(string text, string host, int port, string path)
    {
        var url = UpstreamUrl.Parse(text);

        Assert.Equal((host, port, path, (string?)null), (url.Host, url.Port, url.PathAndQuery, url.User));
        Assert.DoesNotContain("Authorization", Encoding.UTF8.GetString(url.BuildRequest()), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://camera/")]
    [InlineData("camera:8080")]
    [InlineData("http://:8080/")]
    [InlineData("http://camera:0/")]
    [InlineData("http://camera:x/")]
    [InlineData("http://camera/a b")]
    public void Bad_urls_are_usage_errors(string text) =>
        Assert.Throws<UsageException>(() => UpstreamUrl.Parse(text));

    private static async Task<string> ReadToEndAsync(Stream stream)
    {
        var read = new MemoryStream();
        await stream.CopyToAsync(read);
        return Encoding.ASCII.GetString(read.ToArray());
    }

    private static byte[] Chunked(byte[] data, int chunk, bool extension)
    {
        var output = new MemoryStream();
        for (var at = 0; at < data.Length; at += chunk)
        {
            var n = Math.Min(chunk, data.Length - at);
            output.Write(Encoding.ASCII.GetBytes($"{n:X}{(extension ? ";name=value" : "")}\r\n"));
            output.Write(data, at, n);
            output.Write("\r\n"u8);
        }

        return output.ToArray();
    }

    private static byte[] Concat(params byte[][] pieces) => [.. pieces.SelectMany(p => p)];
}
