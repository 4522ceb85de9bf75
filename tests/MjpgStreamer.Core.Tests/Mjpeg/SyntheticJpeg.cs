namespace MjpgStreamer.Core.Tests.Mjpeg;

/// <summary>Structurally valid JPEG byte sequences (markers, segment lengths, stuffed entropy data) for parser tests.</summary>
internal static class SyntheticJpeg
{
    public static byte[] Create(int width, int height, int seed, bool thumbnail = false, bool progressive = false, int entropyBytes = 300)
    {
        var random = new Random(seed);
        var bytes = new List<byte> { 0xFF, 0xD8 };
        Segment(bytes, 0xE0, [.. "JFIF\0"u8, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
        if (thumbnail)
        {
            // An Exif block with a whole thumbnail JPEG (its own FFD9) and a stray FFD9 FFD8 after it.
            var inner = Create(16, 16, seed + 1000, entropyBytes: 40);
            Segment(bytes, 0xE1, [.. "Exif\0\0"u8, .. inner, 0xFF, 0xD9, 0xFF, 0xD8, 0x00]);
        }

        Segment(bytes, 0xFE, [(byte)'x', 0xFF, 0xD9, (byte)'y']);
        var quant = new byte[65];
        Array.Fill(quant, (byte)1);
        quant[0] = 0;
        Segment(bytes, 0xDB, quant);
        Segment(bytes, progressive ? (byte)0xC2 : (byte)0xC0, [8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        Segment(bytes, 0xC4, [0x00, .. new byte[16]]);
        Segment(bytes, 0xDA, [3, 1, 0, 2, 0x11, 3, 0x11, 0, 0x3F, 0]);
        Entropy(bytes, random, entropyBytes);
        if (progressive)
        {
            bytes.AddRange([0xFF, 0xFF]); // fill bytes before a marker are allowed
            Segment(bytes, 0xC4, [0x10, .. new byte[16]]);
            Segment(bytes, 0xDA, [1, 1, 0, 1, 5, 0]);
            Entropy(bytes, random, entropyBytes);
        }

        bytes.AddRange([0xFF, 0xD9]);
        return [.. bytes];
    }

    private static void Segment(List<byte> bytes, byte marker, byte[] payload)
    {
        var length = payload.Length + 2;
        bytes.AddRange([0xFF, marker, (byte)(length >> 8), (byte)length]);
        bytes.AddRange(payload);
    }

    /// <summary>Random scan data, with every FF stuffed and restart markers sprinkled in.</summary>
    private static void Entropy(List<byte> bytes, Random random, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var b = (byte)random.Next(256);
            if (i % 97 == 50)
            {
                bytes.AddRange([0xFF, (byte)(0xD0 + (i % 8))]);
                continue;
            }

            bytes.Add(b);
            if (b == 0xFF)
            {
                bytes.Add(0x00);
            }
        }

        // Make sure the interesting cases are there whatever the seed.
        bytes.AddRange([0xFF, 0x00, 0x12, 0xFF, 0x00, 0xFF, 0xD7, 0x34]);
    }
}
