using System.Buffers;
using System.Text;
using MjpgStreamer.Http;

namespace MjpgStreamer.Tests.Unit;

/// <summary>The first request line as Kestrel is shown it: HTTP/1.1 becomes HTTP/1.0, in place, nothing else changes.</summary>
public sealed class CloseDelimitedBodiesTests
{
    [Theory]
    [InlineData("GET /?action=stream HTTP/1.1\r\nHost: x\r\n\r\n", "GET /?action=stream HTTP/1.0\r\nHost: x\r\n\r\n", true)]
    [InlineData("GET /input.json HTTP/1.1\nHost: x\n\n", "GET /input.json HTTP/1.0\nHost: x\n\n", true)]
    [InlineData("GET / HTTP/1.0\r\n\r\n", "GET / HTTP/1.0\r\n\r\n", false)]
    [InlineData("GET /HTTP/1.1 HTTP/1.0\r\nX: HTTP/1.1\r\n\r\n", "GET /HTTP/1.1 HTTP/1.0\r\nX: HTTP/1.1\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.10\r\n\r\n", "GET / HTTP/1.10\r\n\r\n", false)]
    [InlineData("\r\nGET / HTTP/1.1\r\n\r\n", "\r\nGET / HTTP/1.1\r\n\r\n", false)]
    [InlineData("HTTP/1.1\r\n", "HTTP/1.1\r\n", false)]
    public void Only_a_first_line_ending_in_http11_is_changed(string request, string expected, bool changed)
    {
        for (var split = 1; split < request.Length; split++)
        {
            var (buffer, read) = Segments(request, split);
            Assert.Equal(changed, CloseDelimitedBodies.Rewrite(buffer, out var looking));
            Assert.False(looking);
            Assert.Equal(expected, read());
        }
    }

    [Fact]
    public void A_line_not_yet_complete_is_looked_at_again_until_it_is_too_long()
    {
        var (buffer, read) = Segments("GET /?action=stream HTTP/1.1", 10);
        Assert.False(CloseDelimitedBodies.Rewrite(buffer, out var looking));
        Assert.True(looking);
        Assert.Equal("GET /?action=stream HTTP/1.1", read());

        var (longLine, _) = Segments("GET /" + new string('a', 9000), 4096);
        Assert.False(CloseDelimitedBodies.Rewrite(longLine, out looking));
        Assert.False(looking);
    }

    /// <summary>The request in segments of <paramref name="size"/> bytes, and a way to read the bytes back.</summary>
    private static (ReadOnlySequence<byte> Buffer, Func<string> Read) Segments(string text, int size)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        var arrays = bytes.Chunk(size).ToArray();
        Segment? first = null, last = null;
        foreach (var array in arrays)
        {
            last = last is null ? first = new Segment(array, 0) : last.Append(array);
        }

        var buffer = new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
        return (buffer, () => Encoding.ASCII.GetString(arrays.SelectMany(a => a).ToArray()));
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data, long runningIndex)
        {
            Memory = data;
            RunningIndex = runningIndex;
        }

        public Segment Append(byte[] data)
        {
            var next = new Segment(data, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
