using MjpgStreamer.Core.Mjpeg;

namespace MjpgStreamer.Core.Tests.Mjpeg;

public sealed class JpegInfoTests
{
    [Fact]
    public void Reads_the_size_and_accepts_a_well_formed_file()
    {
        var jpeg = TestJpegs.Header(1280, 720);
        Assert.True(JpegInfo.TryReadSize(jpeg, out var w, out var h));
        Assert.Equal((1280, 720), (w, h));
        Assert.True(JpegInfo.IsWellFormed(jpeg));
    }

    [Fact]
    public void Rejects_truncated_and_foreign_data()
    {
        var jpeg = TestJpegs.Header(640, 480);
        Assert.False(JpegInfo.IsWellFormed(jpeg.AsSpan(0, jpeg.Length - 2)));
        Assert.False(JpegInfo.IsWellFormed(jpeg.AsSpan(0, 12)));
        Assert.False(JpegInfo.IsWellFormed("GIF89a not a jpeg"u8));
        Assert.False(JpegInfo.IsWellFormed([]));
    }

    [Fact]
    public void Trailing_zero_padding_after_eoi_is_allowed()
    {
        byte[] padded = [.. TestJpegs.Header(8, 8), 0, 0, 0];
        Assert.True(JpegInfo.HasSoiAndEoi(padded));
    }
}
