namespace MjpgStreamer.Core.Mjpeg;

/// <summary>Cheap checks on JPEG bytes: markers only, no decoding.</summary>
public static class JpegInfo
{
    /// <summary>True when the data starts with SOI (FFD8) and ends with EOI (FFD9), allowing trailing zero padding.</summary>
    public static bool HasSoiAndEoi(ReadOnlySpan<byte> data)
    {
        if (data.Length < 4 || data[0] != 0xFF || data[1] != 0xD8)
        {
            return false;
        }

        var end = data.Length;
        while (end > 2 && data[end - 1] == 0x00)
        {
            end--;
        }

        return end >= 4 && data[end - 2] == 0xFF && data[end - 1] == 0xD9;
    }

    /// <summary>
    /// A structural check: SOI, well-formed marker segments up to SOS (with a frame header among them),
    /// and EOI at the end. Rejects truncated and corrupt files without decoding them.
    /// </summary>
    public static bool IsWellFormed(ReadOnlySpan<byte> data) =>
        HasSoiAndEoi(data) && TryReadSize(data, out var width, out var height) && width > 0 && height > 0 && FindSos(data) > 0;

    /// <summary>Reads the image size from the first SOFn segment.</summary>
    public static bool TryReadSize(ReadOnlySpan<byte> data, out int width, out int height)
    {
        width = 0;
        height = 0;
        if (data.Length < 4 || data[0] != 0xFF || data[1] != 0xD8)
        {
            return false;
        }

        var pos = 2;
        while (pos + 4 <= data.Length)
        {
            if (data[pos] != 0xFF)
            {
                return false;
            }

            var marker = data[pos + 1];
            if (marker == 0xFF)
            {
                pos++;
                continue;
            }

            if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
            {
                pos += 2;
                continue;
            }

            if (marker == 0xD9 || marker == 0xDA)
            {
                return false;
            }

            var length = (data[pos + 2] << 8) | data[pos + 3];
            if (length < 2 || pos + 2 + length > data.Length)
            {
                return false;
            }

            if (IsStartOfFrame(marker))
            {
                if (length < 7)
                {
                    return false;
                }

                height = (data[pos + 5] << 8) | data[pos + 6];
                width = (data[pos + 7] << 8) | data[pos + 8];
                return true;
            }

            pos += 2 + length;
        }

        return false;
    }

    /// <summary>Offset of the SOS marker, or -1 when the header segments are broken or there is none.</summary>
    public static int FindSos(ReadOnlySpan<byte> data) => ScanHeaders(data, out _, out _);

    /// <summary>
    /// Walks the marker segments from SOI to SOS. Returns the offset of the SOS marker (-1 when the headers
    /// are broken or there is none), the offset of the first SOFn marker (-1 if none) and whether a DHT
    /// segment comes before the scan.
    /// </summary>
    public static int ScanHeaders(ReadOnlySpan<byte> data, out int startOfFrame, out bool hasHuffmanTables)
    {
        startOfFrame = -1;
        hasHuffmanTables = false;
        if (data.Length < 4 || data[0] != 0xFF || data[1] != 0xD8)
        {
            return -1;
        }

        var pos = 2;
        while (pos + 4 <= data.Length)
        {
            if (data[pos] != 0xFF)
            {
                return -1;
            }

            var marker = data[pos + 1];
            if (marker == 0xFF)
            {
                pos++;
                continue;
            }

            if (marker == 0xDA)
            {
                return pos;
            }

            if (marker == 0xD9)
            {
                return -1;
            }

            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
            {
                pos += 2;
                continue;
            }

            var length = (data[pos + 2] << 8) | data[pos + 3];
            if (length < 2 || pos + 2 + length > data.Length)
            {
                return -1;
            }

            if (marker == 0xC4)
            {
                hasHuffmanTables = true;
            }
            else if (startOfFrame < 0 && IsStartOfFrame(marker))
            {
                startOfFrame = pos;
            }

            pos += 2 + length;
        }

        return -1;
    }

    private static bool IsStartOfFrame(byte marker) =>
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}
