namespace MjpgStreamer.Core.Rtp;

/// <summary>
/// Estimates the IJG quality (1..100, libjpeg's and TurboJPEG's scale) a luma quantization table was made with, by
/// comparing its sum with the sum of the T.81 Annex K luma table (the table of quality 50): the IJG scale factor is
/// 5000/quality below 50 and 200-2*quality above. Tables that were not scaled from Annex K (ffmpeg's, cameras' own)
/// get the quality whose table quantizes as coarsely on average.
/// </summary>
public static class JpegQuality
{
    /// <summary>The sum of the 64 entries of T.81 Table K.1 (luminance).</summary>
    private const int AnnexKLumaSum = 3688;

    /// <summary>The quality for <paramref name="lumaTable"/> (64 8-bit entries, any order; fewer entries: 90).</summary>
    public static int Estimate(ReadOnlySpan<byte> lumaTable)
    {
        if (lumaTable.Length < 64)
        {
            return 90;
        }

        var sum = 0;
        foreach (var entry in lumaTable[..64])
        {
            sum += entry;
        }

        // The scale factor in percent; IJG clamps each entry to 1..255, so the extremes are only approximated.
        var scale = sum * 100.0 / AnnexKLumaSum;
        var quality = scale <= 100 ? (200 - scale) / 2 : 5000 / scale;
        return Math.Clamp((int)Math.Round(quality), 1, 100);
    }
}
