using MjpgStreamer.Core.Frames;
using MjpgStreamer.Native.Jpeg;

namespace MjpgStreamer.Native.Tests.Jpeg;

public sealed class PackedPixelsTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SplitPacked422_PutsEachByteInItsPlane_AndSkipsRowPadding(bool uyvy)
    {
        const int width = 4, height = 2, stride = 12;
        var packed = new byte[stride * height];
        for (var row = 0; row < height; row++)
        {
            for (var pair = 0; pair < width / 2; pair++)
            {
                byte y0 = (byte)(10 + (row * 10) + (pair * 2)), y1 = (byte)(y0 + 1), u = (byte)(100 + (row * 10) + pair), v = (byte)(200 + (row * 10) + pair);
                var at = (row * stride) + (pair * 4);
                byte[] bytes = uyvy ? [u, y0, v, y1] : [y0, u, y1, v];
                bytes.CopyTo(packed, at);
            }

            packed[(row * stride) + 8] = 0xEE; // padding
        }

        var y = new byte[8];
        var uPlane = new byte[4];
        var vPlane = new byte[4];
        PackedPixels.SplitPacked422(packed, width, height, stride, uyvy, y, uPlane, vPlane);

        Assert.Equal(new byte[] { 10, 11, 12, 13, 20, 21, 22, 23 }, y);
        Assert.Equal(new byte[] { 100, 101, 110, 111 }, uPlane);
        Assert.Equal(new byte[] { 200, 201, 210, 211 }, vPlane);
    }

    [Fact]
    public void SplitPacked422_RejectsOddWidthsAndShortBuffers()
    {
        Assert.Throws<ArgumentException>(() => PackedPixels.SplitPacked422(new byte[100], 3, 2, 6, false, new byte[6], new byte[3], new byte[3]));
        Assert.Throws<ArgumentException>(() => PackedPixels.SplitPacked422(new byte[10], 4, 2, 8, false, new byte[8], new byte[4], new byte[4]));
    }

    [Fact]
    public void ToRgb24_ExpandsRgb565ToFullRange()
    {
        // White, pure red, pure green, pure blue, little endian.
        byte[] source = [0xFF, 0xFF, 0x00, 0xF8, 0xE0, 0x07, 0x1F, 0x00];
        var rgb = new byte[12];

        PackedPixels.ToRgb24(source, RawPixelLayout.Rgb565, 4, 1, 8, rgb);

        Assert.Equal(new byte[] { 255, 255, 255, 255, 0, 0, 0, 255, 0, 0, 0, 255 }, rgb);
    }

    [Fact]
    public void YuyvOfAGreyPicture_EncodesToThatGrey()
    {
        const int width = 64, height = 32;
        var packed = new byte[width * height * 2];
        for (var i = 0; i < packed.Length; i += 4)
        {
            packed[i] = 150;
            packed[i + 1] = 128;
            packed[i + 2] = 150;
            packed[i + 3] = 128;
        }

        var y = new byte[width * height];
        var u = new byte[width * height / 2];
        var v = new byte[width * height / 2];
        PackedPixels.SplitPacked422(packed, width, height, width * 2, false, y, u, v);
        using var encoder = new JpegEncoder();
        using var decoder = new JpegDecoder();
        var frame = new FramePool().Rent();
        encoder.EncodeYuvPlanes(y, u, v, width, height, 1, 90, frame);
        var rgb = decoder.DecodeToRgb(frame.Span, out _, out _);
        frame.Release();

        Assert.All(rgb, value => Assert.InRange(value, 148, 152));
    }
}
