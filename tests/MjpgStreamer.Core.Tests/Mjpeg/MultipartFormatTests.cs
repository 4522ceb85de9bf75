using System.Text;
using MjpgStreamer.Core.Mjpeg;

namespace MjpgStreamer.Core.Tests.Mjpeg;

public sealed class MultipartFormatTests
{
    [Fact]
    public void The_part_header_is_the_originals()
    {
        Span<byte> buffer = stackalloc byte[MultipartFormat.MaxPartHeaderLength];
        var n = MultipartFormat.WritePartHeader(buffer, 17798, 1795604198_586435);
        Assert.Equal(
            "Content-Type: image/jpeg\r\nContent-Length: 17798\r\nX-Timestamp: 1795604198.586435\r\n\r\n",
            Encoding.ASCII.GetString(buffer[..n]));
    }

    [Theory]
    [InlineData(0L, "0.000000")]
    [InlineData(1_000_001L, "1.000001")]
    [InlineData(1795604198_000042L, "1795604198.000042")]
    public void Timestamps_have_six_digits_of_microseconds(long us, string text) =>
        Assert.Equal(text, MultipartFormat.FormatTimestamp(us));

    [Fact]
    public void The_boundary_follows_each_frame_at_once()
    {
        Assert.Equal("\r\n--boundarydonotcross\r\n", Encoding.ASCII.GetString(MultipartFormat.BoundaryAfterFrame));
        Assert.Equal("multipart/x-mixed-replace;boundary=boundarydonotcross", MultipartFormat.ContentType);
    }
}
