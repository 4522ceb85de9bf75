using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Native.Jpeg;

namespace MjpgStreamer.Native.Tests.Jpeg;

/// <summary>A camera frame without Huffman tables gets the standard ones and then decodes like the original.</summary>
public sealed class StandardHuffmanTablesTests
{
    private static byte[] Encode(int width, int height)
    {
        var rgb = new byte[width * height * 3];
        for (var i = 0; i < rgb.Length; i++)
        {
            rgb[i] = (byte)((i * 7) ^ (i / (width * 3)));
        }

        using var encoder = new JpegEncoder();
        var frame = new FramePool().Rent();
        encoder.EncodeRgb(rgb, width, height, 80, frame);
        var jpeg = frame.Span.ToArray();
        frame.Release();
        return jpeg;
    }

    /// <summary>Removes every DHT segment before the scan, as UVC cameras send their frames.</summary>
    private static (byte[] Stripped, byte[] TableBodies) StripTables(byte[] jpeg)
    {
        var output = new List<byte> { 0xFF, 0xD8 };
        var tables = new List<byte>();
        var pos = 2;
        while (true)
        {
            var marker = jpeg[pos + 1];
            if (marker == 0xDA)
            {
                output.AddRange(jpeg.AsSpan(pos).ToArray());
                return (output.ToArray(), tables.ToArray());
            }

            var length = (jpeg[pos + 2] << 8) | jpeg[pos + 3];
            var segment = jpeg.AsSpan(pos, 2 + length);
            if (marker == 0xC4)
            {
                tables.AddRange(segment[4..].ToArray());
            }
            else
            {
                output.AddRange(segment.ToArray());
            }

            pos += 2 + length;
        }
    }

    [Fact]
    public void Segment_IsOneDhtOf420BytesHoldingTheTablesLibjpegWrites()
    {
        var (_, bodies) = StripTables(Encode(64, 48));

        var segment = StandardHuffmanTables.Segment;
        Assert.Equal(420, segment.Length);
        Assert.Equal([0xFF, 0xC4, 0x01, 0xA2], segment[..4].ToArray());
        Assert.Equal(bodies, segment[4..].ToArray());
    }

    [Fact]
    public void FrameWithoutTables_GetsThemBeforeTheFrameHeader_AndDecodesToTheSamePicture()
    {
        var original = Encode(320, 240);
        var (stripped, _) = StripTables(original);
        using var decoder = new JpegDecoder();
        Assert.Equal(original.Length - 432, stripped.Length); // libjpeg writes four DHT segments: 4 x 4 header bytes + 416 bytes of tables

        var insertAt = StandardHuffmanTables.FindInsertionPoint(stripped);
        Assert.True(insertAt > 0);
        Assert.Equal(0xC0, stripped[insertAt + 1]);
        var fixedUp = new byte[stripped.Length + 420];
        var written = StandardHuffmanTables.CopyWithTables(stripped, insertAt, fixedUp);

        Assert.Equal(fixedUp.Length, written);
        Assert.True(JpegInfo.IsWellFormed(fixedUp));
        Assert.Equal(decoder.DecodeToRgb(original, out _, out _), decoder.DecodeToRgb(fixedUp, out var width, out var height));
        Assert.Equal((320, 240), (width, height));
    }

    [Fact]
    public void FrameWithTables_IsLeftAlone()
    {
        Assert.Equal(-1, StandardHuffmanTables.FindInsertionPoint(Encode(64, 48)));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF })]
    [InlineData(new byte[] { 0x00, 0x01, 0x02, 0x03, 0x04 })]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0x40, 0x00, 0x00, 0x00 })]
    public void BrokenHeaders_AreNotTouched(byte[] data)
    {
        Assert.Equal(-1, StandardHuffmanTables.FindInsertionPoint(data));
    }
}
