using System.Text;

namespace MjpgStreamer.LoadClient.Tests;

public sealed class TimestampTests
{
    [Theory]
    [InlineData("1795604198.384874", 1_795_604_198_384_874L)]
    [InlineData("1795604198.000001", 1_795_604_198_000_001L)]
    [InlineData("0.000000", 0L)]
    [InlineData("12.5", 12_500_000L)]
    [InlineData("12", 12_000_000L)]
    [InlineData("3.1234567", 3_123_456L)]
    public void Parses_seconds_and_microseconds(string text, long expected)
    {
        Assert.True(Timestamp.TryParseMicroseconds(Encoding.ASCII.GetBytes(text), out var microseconds));
        Assert.Equal(expected, microseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".5")]
    [InlineData("12.")]
    [InlineData("-1.000000")]
    [InlineData("1.2x")]
    [InlineData("now")]
    public void Rejects_what_is_not_a_timestamp(string text)
    {
        Assert.False(Timestamp.TryParseMicroseconds(Encoding.ASCII.GetBytes(text), out _));
    }

    [Fact]
    public void Latency_is_arrival_minus_capture()
    {
        var captured = 1_795_604_198_384_874L;

        Assert.Equal(12_345L, Timestamp.LatencyMicroseconds(captured + 12_345, captured));
        Assert.Equal(-3L, Timestamp.LatencyMicroseconds(captured - 3, captured));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    public void A_frame_without_timestamp_has_no_latency(long timestamp)
    {
        Assert.Null(Timestamp.LatencyMicroseconds(1_795_604_198_384_874, timestamp));
    }

    [Fact]
    public void Wall_clock_is_counted_from_the_unix_epoch_in_microseconds()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_795_604_198).AddTicks(3_848_740);

        Assert.Equal(1_795_604_198_384_874L, Timestamp.ToUnixMicroseconds(now));
    }

    [Fact]
    public void A_timestamp_written_like_the_server_and_read_back_gives_the_latency_in_the_right_unit()
    {
        var sent = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_250);
        var header = Encoding.ASCII.GetBytes(sent.ToUnixTimeSeconds() + "." + (sent.ToUnixTimeMilliseconds() % 1000 * 1000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(Timestamp.TryParseMicroseconds(header, out var captured));

        var latency = Timestamp.LatencyMicroseconds(Timestamp.ToUnixMicroseconds(sent.AddMilliseconds(40)), captured);

        Assert.Equal(40_000L, latency);
    }
}
