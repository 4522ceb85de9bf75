using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Native.Interop;
using MjpgStreamer.Native.Jpeg;

namespace MjpgStreamer.Native.Tests.Jpeg;

public sealed class JpegEncoderTests
{
    private readonly FramePool _pool = new();

    [Theory]
    [InlineData(64, 48)]
    [InlineData(33, 17)]
    [InlineData(640, 480)]
    public void EncodeRgb_RoundTrip_DecodesToTheSameSizeAndNearlyTheSamePixels(int width, int height)
    {
        var rgb = Gradient(width, height);
        using var encoder = new JpegEncoder();
        using var decoder = new JpegDecoder();
        var frame = _pool.Rent();

        var length = encoder.EncodeRgb(rgb, width, height, 95, frame);

        Assert.Equal(length, frame.Length);
        Assert.Equal(width, frame.Width);
        Assert.Equal(height, frame.Height);
        Assert.True(JpegInfo.HasSoiAndEoi(frame.Span));
        Assert.True(JpegInfo.TryReadSize(frame.Span, out var sofWidth, out var sofHeight));
        Assert.Equal((width, height), (sofWidth, sofHeight));
        var decoded = decoder.DecodeToRgb(frame.Span, out var decodedWidth, out var decodedHeight);
        Assert.Equal((width, height), (decodedWidth, decodedHeight));
        Assert.True(MeanAbsoluteError(rgb, decoded) < 3.0, $"mean error {MeanAbsoluteError(rgb, decoded)}");
        frame.Release();
    }

    [Fact]
    public void EncodeRgb_LowerQuality_GivesSmallerJpeg()
    {
        var rgb = Noise(320, 240);
        using var encoder = new JpegEncoder();
        var low = _pool.Rent();
        var high = _pool.Rent();

        var lowLength = encoder.EncodeRgb(rgb, 320, 240, 10, low);
        var highLength = encoder.EncodeRgb(rgb, 320, 240, 95, high);

        Assert.True(lowLength * 2 < highLength, $"q10 {lowLength} bytes, q95 {highLength} bytes");
        low.Release();
        high.Release();
    }

    [Fact]
    public void EncodeRgb_IntoAUsedFrame_ReplacesItsContent()
    {
        using var encoder = new JpegEncoder();
        using var decoder = new JpegDecoder();
        var frame = _pool.Rent();
        encoder.EncodeRgb(Noise(320, 240), 320, 240, 90, frame);
        var first = frame.Length;

        encoder.EncodeRgb(Solid(32, 16, 10, 200, 30), 32, 16, 90, frame);

        Assert.True(frame.Length < first);
        var decoded = decoder.DecodeToRgb(frame.Span, out var width, out var height);
        Assert.Equal((32, 16), (width, height));
        Assert.InRange(decoded[(5 * 32 + 7) * 3 + 1], 190, 210);
        frame.Release();
    }

    [Fact]
    public void EncodeRgb_AfterWarmUp_AllocatesNothingOnTheManagedHeap()
    {
        var rgb = Gradient(160, 120);
        using var encoder = new JpegEncoder();
        var frame = _pool.Rent();
        encoder.EncodeRgb(rgb, 160, 120, 80, frame);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10; i++)
        {
            encoder.EncodeRgb(rgb, 160, 120, 80, frame);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        frame.Release();
    }

    [Fact]
    public void EncodeRgb_RejectsBadArguments()
    {
        using var encoder = new JpegEncoder();
        var frame = _pool.Rent();

        Assert.Throws<ArgumentException>(() => encoder.EncodeRgb(new byte[10], 4, 4, 80, frame));
        Assert.Throws<ArgumentOutOfRangeException>(() => encoder.EncodeRgb(new byte[48], 4, 4, 0, frame));
        Assert.Throws<ArgumentOutOfRangeException>(() => encoder.EncodeRgb(new byte[48], 4, 4, 101, frame));
        Assert.Throws<ArgumentOutOfRangeException>(() => encoder.EncodeRgb(new byte[48], 0, 4, 80, frame));
        frame.Release();
    }

    [Fact]
    public void EncodeRgb_AfterDispose_Throws()
    {
        var encoder = new JpegEncoder();
        encoder.Dispose();
        var frame = _pool.Rent();

        Assert.Throws<ObjectDisposedException>(() => encoder.EncodeRgb(new byte[48], 4, 4, 80, frame));
        frame.Release();
    }

    [Theory]
    [InlineData(0, 64, 48)]
    [InlineData(1, 64, 48)]
    [InlineData(2, 64, 48)]
    [InlineData(1, 63, 37)]
    [InlineData(2, 63, 37)]
    public void EncodeYuvPlanes_GivesAJpegOfTheRightSizeAndColour(int subsamp, int width, int height)
    {
        var (lumaWidth, lumaHeight) = JpegEncoder.PlaneSize(0, width, height, subsamp);
        var (chromaWidth, chromaHeight) = JpegEncoder.PlaneSize(1, width, height, subsamp);
        var y = new byte[lumaWidth * lumaHeight];
        var u = new byte[chromaWidth * chromaHeight];
        var v = new byte[chromaWidth * chromaHeight];
        Array.Fill(y, (byte)100);
        Array.Fill(u, (byte)128);
        Array.Fill(v, (byte)128);
        using var encoder = new JpegEncoder();
        using var decoder = new JpegDecoder();
        var frame = _pool.Rent();

        var length = encoder.EncodeYuvPlanes(y, u, v, width, height, subsamp, 90, frame);

        Assert.Equal(length, frame.Length);
        Assert.True(decoder.TryReadHeader(frame.Span, out var headerWidth, out var headerHeight));
        Assert.Equal((width, height), (headerWidth, headerHeight));
        var rgb = decoder.DecodeToRgb(frame.Span, out _, out _);
        var middle = ((height / 2 * width) + (width / 2)) * 3;
        Assert.InRange(rgb[middle], 97, 103);
        Assert.InRange(rgb[middle + 1], 97, 103);
        Assert.InRange(rgb[middle + 2], 97, 103);
        frame.Release();
    }

    [Fact]
    public void EncodeYuvPlanes_RejectsTooSmallPlanes()
    {
        using var encoder = new JpegEncoder();
        var frame = _pool.Rent();

        // 4:2:2 at 64x48 needs a 32x48 chroma plane, not 32x24.
        Assert.Throws<ArgumentException>(() => encoder.EncodeYuvPlanes(new byte[64 * 48], new byte[32 * 24], new byte[32 * 24], 64, 48, 1, 80, frame));
        Assert.Throws<ArgumentOutOfRangeException>(() => encoder.EncodeYuvPlanes(new byte[64 * 48], new byte[64 * 48], new byte[64 * 48], 64, 48, 3, 80, frame));
        frame.Release();
    }

    [Theory]
    [InlineData(640, 480)]
    [InlineData(641, 481)]
    [InlineData(1, 1)]
    [InlineData(35, 2)]
    public void PlaneSize_MatchesTurboJpeg(int width, int height)
    {
        for (var subsamp = 0; subsamp <= 2; subsamp++)
        {
            for (var component = 0; component <= 2; component++)
            {
                var expected = (TurboJpeg.PlaneWidth(component, width, subsamp), TurboJpeg.PlaneHeight(component, height, subsamp));
                Assert.Equal(expected, JpegEncoder.PlaneSize(component, width, height, subsamp));
            }
        }
    }

    [Fact]
    public void Decoder_RejectsDataThatIsNotAJpeg()
    {
        using var decoder = new JpegDecoder();

        Assert.False(decoder.TryReadHeader("not a jpeg at all"u8, out var width, out var height));
        Assert.Equal((0, 0), (width, height));
        Assert.Throws<InvalidDataException>(() => decoder.DecodeToRgb("not a jpeg at all"u8, out _, out _));
    }

    [Fact]
    public void Decoder_RejectsATruncatedJpeg()
    {
        using var encoder = new JpegEncoder();
        using var decoder = new JpegDecoder();
        var frame = _pool.Rent();
        encoder.EncodeRgb(Noise(64, 64), 64, 64, 90, frame);

        Assert.Throws<InvalidDataException>(() => decoder.DecodeToRgb(frame.Span[..(frame.Length / 2)], out _, out _));
        frame.Release();
    }

    internal static byte[] Gradient(int width, int height)
    {
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = ((y * width) + x) * 3;
                rgb[i] = (byte)(x * 255 / Math.Max(1, width - 1));
                rgb[i + 1] = (byte)(y * 255 / Math.Max(1, height - 1));
                rgb[i + 2] = 128;
            }
        }

        return rgb;
    }

    private static byte[] Noise(int width, int height)
    {
        var rgb = new byte[width * height * 3];
        new Random(1234).NextBytes(rgb);
        return rgb;
    }

    private static byte[] Solid(int width, int height, byte r, byte g, byte b)
    {
        var rgb = new byte[width * height * 3];
        for (var i = 0; i < rgb.Length; i += 3)
        {
            rgb[i] = r;
            rgb[i + 1] = g;
            rgb[i + 2] = b;
        }

        return rgb;
    }

    private static double MeanAbsoluteError(byte[] expected, byte[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        long sum = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            sum += Math.Abs(expected[i] - actual[i]);
        }

        return (double)sum / expected.Length;
    }
}
