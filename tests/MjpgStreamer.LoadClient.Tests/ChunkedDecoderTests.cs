using System.Text;

namespace MjpgStreamer.LoadClient.Tests;

/// <summary>--http11: a chunked answer is taken apart in place whatever the receive boundaries; a plain one is left alone.</summary>
public sealed class ChunkedDecoderTests
{
    private const string Head = "HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=b\r\nTransfer-Encoding: chunked\r\n\r\n";

    [Fact]
    public void Chunks_are_removed_at_every_receive_boundary()
    {
        var wire = Head + "5\r\n--b\r\n\r\n1A;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n3\r\nxyz\r\n0\r\n\r\n";
        var expected = Head + "--b\r\nabcdefghijklmnopqrstuvwxyzxyz";
        for (var split = 1; split < wire.Length; split++)
        {
            Assert.Equal(expected, Decode(wire, split));
        }
    }

    [Fact]
    public void A_plain_body_passes_untouched()
    {
        var wire = Head.Replace("Transfer-Encoding: chunked\r\n", "Connection: close\r\n", StringComparison.Ordinal) + "5\r\n--b\r\n";
        for (var split = 1; split < wire.Length; split++)
        {
            Assert.Equal(wire, Decode(wire, split));
        }
    }

    private static string Decode(string wire, int split)
    {
        var decoder = new ChunkedDecoder();
        var output = new StringBuilder();
        foreach (var piece in Encoding.ASCII.GetBytes(wire).Chunk(split))
        {
            var kept = decoder.Decode(piece);
            output.Append(Encoding.ASCII.GetString(piece, 0, kept));
        }

        return output.ToString();
    }
}
