using System.Buffers.Binary;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Rtp;

namespace MjpgStreamer.Core.Tests.Rtp;

public sealed class RtpJpegPacketizerTests
{
    private const uint Ssrc = 0x11223344;
    private const uint Timestamp = 0xA0B0C0D0;

    /// <summary>A structurally complete baseline JPEG (not a decodable picture): SOI, APP0, DQT ×2, SOF0, DHT, [DRI], SOS, scan, EOI.</summary>
    private static byte[] Jpeg(int width, int height, byte ySampling = 0x22, int scanLength = 5000, int restart = 0, byte[]? dht = null, byte sof = 0xC0, int components = 3, byte chromaSampling = 0x11)
    {
        var bytes = new List<byte> { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0xAB, 0xCD };
        foreach (var id in new byte[] { 0, 1 })
        {
            bytes.AddRange([0xFF, 0xDB, 0x00, 67, id]);
            bytes.AddRange(Enumerable.Range(0, 64).Select(i => (byte)((id * 100) + i + 1)));
        }

        bytes.AddRange([0xFF, sof, 0x00, (byte)(8 + (3 * components)), 0x08, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, (byte)components]);
        bytes.AddRange([0x01, ySampling, 0x00]);
        for (var c = 1; c < components; c++)
        {
            bytes.AddRange([(byte)(c + 1), chromaSampling, 0x01]);
        }

        bytes.AddRange(dht ?? StandardHuffmanTables.Segment.ToArray());
        if (restart > 0)
        {
            bytes.AddRange([0xFF, 0xDD, 0x00, 0x04, (byte)(restart >> 8), (byte)restart]);
        }

        bytes.AddRange([0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3F, 0x00]);
        bytes.AddRange(Enumerable.Range(0, scanLength).Select(i => (byte)(i % 251)));
        bytes.AddRange([0xFF, 0xD9]);
        return [.. bytes];
    }

    [Fact]
    public void Parses_a_baseline_420_jpeg()
    {
        var jpeg = Jpeg(640, 480);
        Assert.Equal(RtpJpegVerdict.Ready, RtpJpegParser.Parse(jpeg, out var image, out var reason));
        Assert.Null(reason);
        Assert.Equal(1, image.Type);
        Assert.Equal(640, image.Width);
        Assert.Equal(480, image.Height);
        Assert.Equal(0, image.RestartInterval);
        Assert.Equal(1, jpeg[image.LumaTableOffset]);
        Assert.Equal(101, jpeg[image.ChromaTableOffset]);
        Assert.Equal(5000, image.ScanLength); // the EOI is left out
        Assert.Equal(0, jpeg[image.ScanStart]);
    }

    [Fact]
    public void Reads_422_as_type_0_and_the_restart_interval()
    {
        Assert.Equal(RtpJpegVerdict.Ready, RtpJpegParser.Parse(Jpeg(320, 240, ySampling: 0x21, restart: 4), out var image, out _));
        Assert.Equal(0, image.Type);
        Assert.Equal(4, image.RestartInterval);
    }

    [Fact]
    public void Own_huffman_tables_or_progressive_coding_need_recoding()
    {
        var dht = StandardHuffmanTables.Segment.ToArray();
        dht[^1] ^= 0x01; // one symbol of the last table differs
        Assert.Equal(RtpJpegVerdict.NeedsRecode, RtpJpegParser.Parse(Jpeg(64, 64, dht: dht), out _, out _));
        Assert.Equal(RtpJpegVerdict.NeedsRecode, RtpJpegParser.Parse(Jpeg(64, 64, sof: 0xC2), out _, out _));
        Assert.Equal(RtpJpegVerdict.Ready, RtpJpegParser.Parse(Jpeg(64, 64, dht: []), out _, out _)); // no DHT: the standard tables
    }

    [Theory]
    [InlineData(2040, 2040, true)]
    [InlineData(2048, 1536, false)]
    [InlineData(640, 2041, false)]
    public void Sizes_up_to_2040_are_sent(int width, int height, bool sent)
    {
        var verdict = RtpJpegParser.Parse(Jpeg(width, height), out _, out var reason);
        Assert.Equal(sent ? RtpJpegVerdict.Ready : RtpJpegVerdict.Unsupported, verdict);
        if (!sent)
        {
            Assert.Contains("2040", reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Other_samplings_and_grayscale_need_reencoding()
    {
        var jpeg = Jpeg(64, 64, ySampling: 0x11);
        Assert.Equal(RtpJpegVerdict.NeedsReencode, RtpJpegParser.Parse(jpeg, out var image444, out _));
        Assert.Equal(0xDB, jpeg[image444.LumaTableOffset - 4]); // the quality estimate reads the luma table from here
        Assert.Equal(RtpJpegVerdict.NeedsReencode, RtpJpegParser.Parse(Jpeg(64, 64, ySampling: 0x22, chromaSampling: 0x12), out var image, out _));
        Assert.Equal((64, 64), (image.Width, image.Height));
        Assert.Equal(RtpJpegVerdict.NeedsReencode, RtpJpegParser.Parse(Jpeg(64, 64, ySampling: 0x11, components: 1), out _, out _));
        var ownCrTable = Jpeg(64, 64);
        var sof = ownCrTable.AsSpan().IndexOf([(byte)0xFF, (byte)0xC0]);
        Assert.Equal(0x01, ownCrTable[sof + 18]);
        ownCrTable[sof + 18] = 0x00; // Cr quantized with the luma table: RTP/JPEG has one chroma table
        Assert.Equal(RtpJpegVerdict.NeedsReencode, RtpJpegParser.Parse(ownCrTable, out _, out _));
        Assert.Equal(RtpJpegVerdict.Unsupported, RtpJpegParser.Parse(Jpeg(64, 64, components: 4), out _, out var cmyk));
        Assert.Contains("4 colour components", cmyk, StringComparison.Ordinal);
        Assert.Equal(RtpJpegVerdict.Unsupported, RtpJpegParser.Parse(Jpeg(2048, 64, ySampling: 0x11), out _, out var tooLarge));
        Assert.Contains("2040", tooLarge, StringComparison.Ordinal);
        Assert.Equal(RtpJpegVerdict.Unsupported, RtpJpegParser.Parse([0xFF, 0xD8, 0xFF, 0xDB, 0x00], out _, out _));
    }

    [Theory]
    [InlineData(30)]
    [InlineData(50)]
    [InlineData(75)]
    [InlineData(90)]
    [InlineData(95)]
    public void The_ijg_quality_is_estimated_from_the_luma_table(int quality)
    {
        ReadOnlySpan<byte> annexK =
        [
            16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
            18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
        ];
        var scale = quality < 50 ? 5000 / quality : 200 - (2 * quality);
        var table = new byte[64];
        for (var i = 0; i < 64; i++)
        {
            table[i] = (byte)Math.Clamp(((annexK[i] * scale) + 50) / 100, 1, 255);
        }

        Assert.InRange(JpegQuality.Estimate(table), quality - 1, quality + 1);
        Assert.Equal(90, JpegQuality.Estimate([]));
    }

    [Fact]
    public void Packets_carry_the_rfc2435_headers_and_the_whole_scan()
    {
        var jpeg = Jpeg(636, 478, scanLength: 5000);
        Assert.Equal(RtpJpegVerdict.Ready, RtpJpegParser.Parse(jpeg, out var image, out _));
        var block = new byte[RtpJpegPacketizer.MaxBlockSize(image.ScanLength)];
        var length = RtpJpegPacketizer.Write(image, jpeg, Timestamp, Ssrc, block);
        Assert.Equal(4, RtpJpegPacketizer.StampSequence(block.AsSpan(0, length), 65534));

        var scan = new List<byte>();
        var offset = 0;
        var index = 0;
        var packets = new List<(int Start, int Length)>();
        while (RtpJpegPacketizer.NextPacket(block.AsSpan(0, length), ref offset, out var start, out var packetLength))
        {
            packets.Add((start, packetLength));
        }

        Assert.Equal(length, offset);
        foreach (var (start, packetLength) in packets)
        {
            var packet = block.AsSpan(start, packetLength);
            Assert.Equal((byte)'$', block[start - 4]);
            Assert.Equal(0, block[start - 3]);
            Assert.True(packetLength <= RtpJpegPacketizer.MaxPacketSize);
            Assert.Equal(0x80, packet[0]);
            var last = index == packets.Count - 1;
            Assert.Equal(26 | (last ? 0x80 : 0), packet[1]);
            Assert.Equal((ushort)(65534 + index), BinaryPrimitives.ReadUInt16BigEndian(packet[2..])); // wraps after 65535
            Assert.Equal(Timestamp, BinaryPrimitives.ReadUInt32BigEndian(packet[4..]));
            Assert.Equal(Ssrc, BinaryPrimitives.ReadUInt32BigEndian(packet[8..]));

            var header = packet[12..];
            Assert.Equal(0, header[0]); // type-specific
            var fragment = (header[1] << 16) | (header[2] << 8) | header[3];
            Assert.Equal(scan.Count, fragment);
            Assert.Equal(1, header[4]); // 4:2:0, no restart markers
            Assert.Equal(255, header[5]); // Q: tables in-band
            Assert.Equal(80, header[6]); // 636 rounded up to 8-pixel blocks
            Assert.Equal(60, header[7]); // 478
            var payload = header[8..];
            if (fragment == 0)
            {
                Assert.Equal(0, payload[0]); // MBZ
                Assert.Equal(0, payload[1]); // 8-bit tables
                Assert.Equal(128, BinaryPrimitives.ReadUInt16BigEndian(payload[2..]));
                Assert.Equal(jpeg.AsSpan(image.LumaTableOffset, 64).ToArray(), payload.Slice(4, 64).ToArray());
                Assert.Equal(jpeg.AsSpan(image.ChromaTableOffset, 64).ToArray(), payload.Slice(68, 64).ToArray());
                payload = payload[132..];
            }

            scan.AddRange(payload.ToArray());
            index++;
        }

        Assert.Equal(jpeg.AsSpan(image.ScanStart, 5000).ToArray(), scan.ToArray());
    }

    [Fact]
    public void A_restart_interval_makes_type_65_with_a_restart_header_in_every_packet()
    {
        var jpeg = Jpeg(320, 240, ySampling: 0x21, scanLength: 3000, restart: 7);
        Assert.Equal(RtpJpegVerdict.Ready, RtpJpegParser.Parse(jpeg, out var image, out _));
        var block = new byte[RtpJpegPacketizer.MaxBlockSize(image.ScanLength)];
        var length = RtpJpegPacketizer.Write(image, jpeg, Timestamp, Ssrc, block);
        var offset = 0;
        var first = true;
        var count = 0;
        while (RtpJpegPacketizer.NextPacket(block.AsSpan(0, length), ref offset, out var start, out _))
        {
            var header = block.AsSpan(start + 12);
            Assert.Equal(64, header[4]); // 4:2:2 + restart markers
            Assert.Equal(7, BinaryPrimitives.ReadUInt16BigEndian(header[8..]));
            Assert.Equal(0xFFFF, BinaryPrimitives.ReadUInt16BigEndian(header[10..])); // F=1 L=1 count 0x3FFF
            if (first)
            {
                Assert.Equal(128, BinaryPrimitives.ReadUInt16BigEndian(header[14..])); // the table header after the restart header
                first = false;
            }

            count++;
        }

        Assert.Equal(3, count);
    }
}
