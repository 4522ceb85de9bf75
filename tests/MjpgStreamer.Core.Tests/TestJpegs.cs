namespace MjpgStreamer.Core.Tests;

/// <summary>Minimal JPEG byte sequences for marker-level tests (not decodable images).</summary>
internal static class TestJpegs
{
    /// <summary>SOI, a SOF0 segment with the given size, an empty SOS and EOI.</summary>
    public static byte[] Header(int width, int height) =>
    [
        0xFF, 0xD8,
        0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, // APP0 with 2 bytes of payload
        0xFF, 0xC0, 0x00, 0x0B, 0x08, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 0x01, 0x01, 0x11, 0x00,
        0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00,
        0x12, 0x34,
        0xFF, 0xD9,
    ];
}
