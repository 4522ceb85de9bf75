namespace MjpgStreamer.Core.Rtp;

/// <summary>What <see cref="RtpJpegParser"/> found out about a JPEG.</summary>
public enum RtpJpegVerdict
{
    /// <summary>Baseline, 4:2:0 or 4:2:2, standard Huffman tables: can be sent as it is.</summary>
    Ready,

    /// <summary>Decodable, but its Huffman tables (or progressive or extended coding) are not what RTP/JPEG receivers assume: re-code losslessly first.</summary>
    NeedsRecode,

    /// <summary>
    /// Decodable, but its layout is not one RTP/JPEG can describe (4:2:2 written as Y 2x2 with Cb/Cr 1x2 as ffmpeg
    /// does, 4:4:0, 4:4:4, 4:1:1, grayscale, or Cb and Cr with different quantization tables): re-encode (lossy) to
    /// 4:2:2 or 4:2:0 first. <see cref="RtpJpegImage.LumaTableOffset"/> is set (for the quality), the rest may not be.
    /// </summary>
    NeedsReencode,

    /// <summary>Cannot be sent at all (sampling, size, precision, broken headers): see the reason.</summary>
    Unsupported,
}

/// <summary>
/// The parts of a baseline JPEG that RTP/JPEG (RFC 2435) carries: the type (0: 4:2:2, 1: 4:2:0; the packetiser adds
/// 64 when a restart interval is present), the size, the two quantization tables (zigzag order, as in DQT) and the
/// entropy-coded scan. Offsets are into the JPEG the parser read.
/// </summary>
public readonly record struct RtpJpegImage(
    int Type,
    int Width,
    int Height,
    int RestartInterval,
    int LumaTableOffset,
    int ChromaTableOffset,
    int ScanStart,
    int ScanEnd)
{
    /// <summary>The RFC's width and height fields count 8-pixel blocks in one byte: 2040 pixels at most.</summary>
    public const int MaxDimension = 2040;

    public int ScanLength => ScanEnd - ScanStart;
}
