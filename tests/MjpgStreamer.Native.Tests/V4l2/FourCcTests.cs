using MjpgStreamer.Native.V4l2;

namespace MjpgStreamer.Native.Tests.V4l2;

public sealed class FourCcTests
{
    [Fact]
    public void KnownCodes_HaveTheValuesOfVideodev2()
    {
        // v4l2_fourcc('M','J','P','G') etc.: the first character in the lowest byte.
        Assert.Equal(0x47504A4Du, FourCc.Mjpeg);
        Assert.Equal(0x4745504Au, FourCc.Jpeg);
        Assert.Equal(0x56595559u, FourCc.Yuyv);
        Assert.Equal(0x59565955u, FourCc.Uyvy);
        Assert.Equal(0x33424752u, FourCc.Rgb24);
        Assert.Equal(0x50424752u, FourCc.Rgb565);
    }

    [Theory]
    [InlineData("MJPG")]
    [InlineData("YUYV")]
    [InlineData("RGB3")]
    [InlineData("Y10 ")]
    public void ToString_ReversesMake(string code)
    {
        Assert.Equal(code, FourCc.ToString(FourCc.Make(code)));
    }

    [Fact]
    public void ToString_ShowsTheBigEndianFlagAndHidesControlCharacters()
    {
        Assert.Equal("RGBO-BE", FourCc.ToString(FourCc.Make("RGBO") | 0x80000000));
        Assert.Equal("A.B.", FourCc.ToString(0x00420041));
    }

    [Theory]
    [InlineData("MJP")]
    [InlineData("MJPEG")]
    [InlineData("MJP\u00e9")]
    public void Make_RejectsAnythingButFourAsciiCharacters(string code)
    {
        Assert.Throws<ArgumentException>(() => FourCc.Make(code));
    }
}
