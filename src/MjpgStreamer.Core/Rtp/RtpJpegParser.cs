using MjpgStreamer.Core.Mjpeg;

namespace MjpgStreamer.Core.Rtp;

/// <summary>
/// Reads the headers of a JPEG for RTP/JPEG (RFC 2435): SOF0 (size, sampling, table selectors), DQT, DHT (compared
/// with the standard tables of T.81 Annex K, the only ones a receiver knows), DRI and SOS, and where the scan's
/// entropy-coded bytes are. Nothing is decoded and nothing allocated.
/// </summary>
public static class RtpJpegParser
{
    // The standard tables as DHT stores them (counts then symbols), by class * 2 + id: DC0, DC1, AC0, AC1.
    private static readonly byte[][] StandardTables = SplitStandardTables();

    /// <summary>Parses <paramref name="jpeg"/>; <paramref name="reason"/> says why when the verdict is not Ready.</summary>
    public static RtpJpegVerdict Parse(ReadOnlySpan<byte> jpeg, out RtpJpegImage image, out string? reason)
    {
        image = default;
        reason = null;
        if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
        {
            reason = "not a JPEG (no SOI)";
            return RtpJpegVerdict.Unsupported;
        }

        Span<int> tableOffsets = [-1, -1, -1, -1];
        Span<byte> componentTables = stackalloc byte[3];
        var recode = false;
        var reencode = false;
        var haveFrame = false;
        int width = 0, height = 0, type = -1, restart = 0;
        var pos = 2;
        while (true)
        {
            if (pos + 4 > jpeg.Length || jpeg[pos] != 0xFF)
            {
                reason = "broken JPEG headers";
                return RtpJpegVerdict.Unsupported;
            }

            var marker = jpeg[pos + 1];
            if (marker == 0xFF)
            {
                pos++;
                continue;
            }

            if (marker == 0x01 || marker is >= 0xD0 and <= 0xD7)
            {
                pos += 2;
                continue;
            }

            if (marker == 0xD9)
            {
                reason = "no scan in the JPEG";
                return RtpJpegVerdict.Unsupported;
            }

            var length = (jpeg[pos + 2] << 8) | jpeg[pos + 3];
            var body = pos + 4;
            var end = pos + 2 + length;
            if (length < 2 || end > jpeg.Length)
            {
                reason = "broken JPEG headers";
                return RtpJpegVerdict.Unsupported;
            }

            var segment = jpeg[body..end];
            switch (marker)
            {
                case 0xDB:
                    if (!ReadQuantizationTables(segment, body, tableOffsets, out reason))
                    {
                        return RtpJpegVerdict.Unsupported;
                    }

                    break;

                case 0xC4:
                    if (!CheckHuffmanTables(segment, ref recode))
                    {
                        reason = "broken DHT segment";
                        return RtpJpegVerdict.Unsupported;
                    }

                    break;

                case 0xDD:
                    if (segment.Length < 2)
                    {
                        reason = "broken DRI segment";
                        return RtpJpegVerdict.Unsupported;
                    }

                    restart = (segment[0] << 8) | segment[1];
                    break;

                case 0xC0 or 0xC1 or 0xC2:
                    if (marker != 0xC0)
                    {
                        recode = true; // extended or progressive Huffman coding: the recoder writes baseline
                    }

                    if (!ReadFrameHeader(segment, componentTables, out width, out height, out type, ref reencode, out reason))
                    {
                        return RtpJpegVerdict.Unsupported;
                    }

                    haveFrame = true;
                    break;

                case >= 0xC3 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC:
                    reason = $"JPEG coding process SOF{marker - 0xC0} is not sent over RTP";
                    return RtpJpegVerdict.Unsupported;

                case 0xDA:
                    if (!haveFrame)
                    {
                        reason = "no SOF before the scan";
                        return RtpJpegVerdict.Unsupported;
                    }

                    if (!CheckScanHeader(segment, ref recode))
                    {
                        reason = "broken SOS segment";
                        return RtpJpegVerdict.Unsupported;
                    }

                    return Finish(jpeg, end, width, height, type, restart, componentTables, tableOffsets, recode, reencode, out image, out reason);

                default:
                    break; // APPn, COM and the like: stripped
            }

            pos = end;
        }
    }

    private static RtpJpegVerdict Finish(
        ReadOnlySpan<byte> jpeg, int scanStart, int width, int height, int type, int restart,
        ReadOnlySpan<byte> componentTables, ReadOnlySpan<int> tableOffsets, bool recode, bool reencode, out RtpJpegImage image, out string? reason)
    {
        image = default;
        reason = null;
        if (width > RtpJpegImage.MaxDimension || height > RtpJpegImage.MaxDimension)
        {
            reason = $"{width}x{height} is larger than RTP/JPEG's {RtpJpegImage.MaxDimension}x{RtpJpegImage.MaxDimension}";
            return RtpJpegVerdict.Unsupported;
        }

        if (width == 0 || height == 0)
        {
            reason = "the JPEG has no size in its SOF (DNL)";
            return RtpJpegVerdict.Unsupported;
        }

        var luma = tableOffsets[componentTables[0]];
        var chroma = tableOffsets[componentTables[1]];
        if (componentTables[1] != componentTables[2] || luma < 0 || chroma < 0)
        {
            if (luma < 0 || chroma < 0)
            {
                reason = "a quantization table is missing";
                return RtpJpegVerdict.Unsupported;
            }

            // Cb and Cr with different tables: RTP/JPEG has one chroma table and the lossless recoder cannot change
            // tables, so such frames are re-encoded.
            reencode = true;
        }

        if (reencode)
        {
            image = new RtpJpegImage(-1, width, height, restart, luma, chroma, scanStart, jpeg.Length);
            return RtpJpegVerdict.NeedsReencode;
        }

        // The scan runs to the EOI (left out: receivers add it), or to the end of the data.
        var scanEnd = jpeg.Length;
        while (scanEnd > scanStart && jpeg[scanEnd - 1] == 0x00)
        {
            scanEnd--;
        }

        if (scanEnd - scanStart >= 2 && jpeg[scanEnd - 2] == 0xFF && jpeg[scanEnd - 1] == 0xD9)
        {
            scanEnd -= 2;
        }
        else
        {
            scanEnd = jpeg.Length;
        }

        image = new RtpJpegImage(type, width, height, restart, luma, chroma, scanStart, scanEnd);
        return recode ? RtpJpegVerdict.NeedsRecode : RtpJpegVerdict.Ready;
    }

    private static bool ReadQuantizationTables(ReadOnlySpan<byte> segment, int segmentOffset, Span<int> offsets, out string? reason)
    {
        reason = null;
        var i = 0;
        while (i < segment.Length)
        {
            var precision = segment[i] >> 4;
            var id = segment[i] & 0x0F;
            var size = precision == 0 ? 64 : 128;
            if (id > 3 || precision > 1 || i + 1 + size > segment.Length)
            {
                reason = "broken DQT segment";
                return false;
            }

            if (precision != 0)
            {
                // 16-bit tables: receivers (ffmpeg) take 8-bit ones only; libjpeg-turbo's recoder keeps them.
                reason = "16-bit quantization tables";
                return false;
            }

            offsets[id] = segmentOffset + i + 1;
            i += 1 + size;
        }

        return true;
    }

    private static bool CheckHuffmanTables(ReadOnlySpan<byte> segment, ref bool recode)
    {
        var i = 0;
        while (i < segment.Length)
        {
            if (i + 17 > segment.Length)
            {
                return false;
            }

            var tableClass = segment[i] >> 4;
            var id = segment[i] & 0x0F;
            var symbols = 0;
            for (var k = 1; k <= 16; k++)
            {
                symbols += segment[i + k];
            }

            var size = 16 + symbols;
            if (i + 1 + size > segment.Length || tableClass > 1)
            {
                return false;
            }

            if (id > 1 || !segment.Slice(i + 1, size).SequenceEqual(StandardTables[(tableClass * 2) + id]))
            {
                recode = true;
            }

            i += 1 + size;
        }

        return true;
    }

    private static bool ReadFrameHeader(ReadOnlySpan<byte> segment, Span<byte> componentTables, out int width, out int height, out int type, ref bool reencode, out string? reason)
    {
        width = height = 0;
        type = -1;
        reason = null;
        if (segment.Length < 6)
        {
            reason = "broken SOF segment";
            return false;
        }

        height = (segment[1] << 8) | segment[2];
        width = (segment[3] << 8) | segment[4];
        var components = segment[5];
        if (segment[0] != 8)
        {
            reason = $"{segment[0]}-bit samples";
            return false;
        }

        if (segment.Length < 6 + (3 * components))
        {
            reason = "broken SOF segment";
            return false;
        }

        if (components == 1)
        {
            // Grayscale: RTP/JPEG carries YCbCr only; re-encoded as 4:2:0 with grey chroma.
            componentTables[0] = componentTables[1] = componentTables[2] = segment[8];
            reencode = true;
            return CheckTableSelectors(componentTables, out reason);
        }

        if (components != 3)
        {
            reason = $"{components} colour components";
            return false;
        }

        var y = segment[7];
        var cb = segment[10];
        var cr = segment[13];
        for (var c = 0; c < 3; c++)
        {
            componentTables[c] = segment[8 + (3 * c)];
        }

        if (cb != 0x11 || cr != 0x11 || (y != 0x21 && y != 0x22))
        {
            // 4:2:2 as Y 2x2 and Cb/Cr 1x2 (ffmpeg's yuvj422p), 4:4:0, 4:4:4, 4:1:1: the receiver could not
            // tell; re-encoded to a layout it can. Layouts TurboJPEG cannot decode fail there with its message.
            reencode = true;
        }
        else
        {
            type = y == 0x21 ? 0 : 1;
        }

        return CheckTableSelectors(componentTables, out reason);
    }

    private static bool CheckTableSelectors(ReadOnlySpan<byte> componentTables, out string? reason)
    {
        reason = null;
        foreach (var table in componentTables)
        {
            if (table > 3)
            {
                reason = "broken SOF segment";
                return false;
            }
        }

        return true;
    }

    private static bool CheckScanHeader(ReadOnlySpan<byte> segment, ref bool recode)
    {
        if (segment.Length < 1 || segment.Length < 1 + (2 * segment[0]) + 3)
        {
            return false;
        }

        // RTP/JPEG receivers use DC/AC table 0 for Y and table 1 for Cb and Cr; the recoder writes exactly that.
        if (segment[0] != 3 || segment[2] != 0x00 || segment[4] != 0x11 || segment[6] != 0x11)
        {
            recode = true;
        }

        return true;
    }

    private static byte[][] SplitStandardTables()
    {
        var segment = StandardHuffmanTables.Segment;
        var tables = new byte[4][];
        var i = 4;
        while (i < segment.Length)
        {
            var tableClass = segment[i] >> 4;
            var id = segment[i] & 0x0F;
            var symbols = 0;
            for (var k = 1; k <= 16; k++)
            {
                symbols += segment[i + k];
            }

            tables[(tableClass * 2) + id] = segment.Slice(i + 1, 16 + symbols).ToArray();
            i += 17 + symbols;
        }

        return tables;
    }
}
