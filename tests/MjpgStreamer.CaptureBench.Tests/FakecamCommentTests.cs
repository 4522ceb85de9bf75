using System.Text;

namespace MjpgStreamer.CaptureBench.Tests;

public sealed class FakecamCommentTests
{
    // SOI, an APP0 segment, optionally a COM segment, then SOS with a few entropy-coded bytes and EOI.
    private static byte[] Jpeg(string? comment, bool commentAfterScan = false)
    {
        var bytes = new List<byte> { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x06, (byte)'J', (byte)'F', (byte)'I', (byte)'F' };
        var com = comment is null ? [] : Segment(0xFE, Encoding.ASCII.GetBytes(comment));
        if (!commentAfterScan)
        {
            bytes.AddRange(com);
        }

        bytes.AddRange([0xFF, 0xDA, 0x00, 0x02, 0x12, 0x34]);
        if (commentAfterScan)
        {
            bytes.AddRange(com);
        }

        bytes.AddRange([0xFF, 0xD9]);
        return [.. bytes];
    }

    private static byte[] Segment(byte marker, byte[] body) =>
        [0xFF, marker, (byte)((body.Length + 2) >> 8), (byte)(body.Length + 2), .. body];

    [Fact]
    public void Reads_the_frame_number_and_the_size_from_the_fakes_comment()
    {
        var jpeg = Jpeg("FAKECAM frame=123456789012 size=640x480 fourcc=MJPG brightness=0");

        Assert.True(FakecamComment.TryReadFrameNumber(jpeg, out var frame));
        Assert.Equal(123456789012, frame);
        Assert.True(FakecamComment.TryReadField(jpeg, "size="u8, out var size));
        Assert.Equal("640x480", Encoding.ASCII.GetString(size));
    }

    [Fact]
    public void A_trailing_nul_in_the_comment_is_not_part_of_the_last_value()
    {
        Assert.True(FakecamComment.TryReadFrameNumber(Jpeg("FAKECAM size=640x480 frame=7\0"), out var frame));
        Assert.Equal(7, frame);
    }

    [Theory]
    [InlineData(null)] // a placeholder picture has no comment
    [InlineData("made by someone else frame=3")]
    [InlineData("FAKECAM size=640x480")]
    [InlineData("FAKECAM frame=12x size=640x480")]
    [InlineData("FAKECAM frame= size=640x480")]
    public void Without_a_well_formed_frame_field_there_is_no_number(string? comment)
    {
        Assert.False(FakecamComment.TryReadFrameNumber(Jpeg(comment), out _));
    }

    [Fact]
    public void A_comment_after_the_scan_or_a_segment_running_past_the_end_is_not_read()
    {
        Assert.False(FakecamComment.TryReadFrameNumber(Jpeg("FAKECAM frame=5", commentAfterScan: true), out _));
        var jpeg = Jpeg("FAKECAM frame=5");
        Assert.False(FakecamComment.TryReadFrameNumber(jpeg.AsSpan(0, 20), out _));
        Assert.False(FakecamComment.TryReadFrameNumber([], out _));
    }
}
