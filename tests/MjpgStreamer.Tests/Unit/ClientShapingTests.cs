using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Http;

namespace MjpgStreamer.Tests.Unit;

/// <summary>Per-client frame rate (fps=, -stream_fps) and its validation; pacing on explicit timestamps, no clock.</summary>
public sealed class ClientShapingTests
{
    private const long Frequency = 1_000_000; // timestamps in microseconds

    /// <summary>Frames sent by a pacer at <paramref name="fps"/> when frames arrive at <paramref name="inputFps"/> for <paramref name="seconds"/>, with a jitter of ±<paramref name="jitterUs"/>.</summary>
    private static int Sent(double fps, double inputFps, double seconds, int jitterUs = 0)
    {
        var pacer = new FramePacer(fps, Frequency);
        var random = new Random(14);
        var sent = 0;
        var frames = (int)(inputFps * seconds);
        for (var i = 0; i < frames; i++)
        {
            var at = (long)(i * Frequency / inputFps) + (jitterUs == 0 ? 0 : random.Next(-jitterUs, jitterUs + 1)) + 10 * Frequency;
            if (pacer.TryTakeSlot(at))
            {
                sent++;
            }
        }

        return sent;
    }

    [Theory]
    [InlineData(5, 30, 0)]
    [InlineData(5, 30, 3000)]
    [InlineData(10, 30, 3000)]
    [InlineData(7, 30, 0)]
    [InlineData(2.5, 25, 2000)]
    public void A_limited_client_averages_the_rate_asked_not_less(double fps, double inputFps, int jitterUs)
    {
        var seconds = 20.0;
        var rate = Sent(fps, inputFps, seconds, jitterUs) / seconds;
        Assert.InRange(rate, fps - 0.1, fps + 0.1);
    }

    [Fact]
    public void Asking_the_input_rate_or_more_loses_no_frame_to_jitter()
    {
        Assert.Equal(600, Sent(30, 30, 20, jitterUs: 3000));
        Assert.Equal(300, Sent(60, 15, 20, jitterUs: 3000));
    }

    [Fact]
    public void After_a_gap_the_client_starts_afresh_rather_than_catching_up_in_a_burst()
    {
        var pacer = new FramePacer(5, Frequency);
        Assert.True(pacer.TryTakeSlot(0));
        Assert.True(pacer.TryTakeSlot(200_000));

        // The input stalls 5 s, then sends at 30 fps again: one frame per 200 ms, not 25 at once.
        var sent = 0;
        for (var t = 5_200_000L; t < 6_200_000; t += 33_333)
        {
            sent += pacer.TryTakeSlot(t) ? 1 : 0;
        }

        Assert.InRange(sent, 5, 6);
    }

    [Fact]
    public void A_client_below_one_fps_still_gets_the_once_a_second_keep_alive_at_its_rate()
    {
        // Paused input: a keep-alive frame a second; fps=0.5 gets every second one.
        var pacer = new FramePacer(0.5, Frequency);
        var sent = Enumerable.Range(0, 20).Count(s => pacer.TryTakeSlot(s * Frequency));
        Assert.Equal(10, sent);
    }

    [Theory]
    [InlineData("/?action=stream&fps=5", 5.0)]
    [InlineData("/?fps=2.5&action=stream_1", 2.5)]
    [InlineData("/stream?fps=0.1", 0.1)]
    [InlineData("/stream?input=1&fps=120", 120.0)]
    [InlineData("/?action=stream&fpsx=abc&t=123", null)]
    [InlineData("/?action=stream", null)]
    [InlineData("/stream", null)]
    public void Fps_is_read_from_the_query_and_other_parameters_are_ignored(string target, double? fps)
    {
        Assert.True(StreamQuery.TryParse(target, out var query, out var error), error);
        Assert.Equal(fps, query.Fps);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("0.0")]
    [InlineData("-1")]
    [InlineData("1000")]
    [InlineData("120.5")]
    [InlineData("")]
    [InlineData("5x")]
    [InlineData("1e1")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("%205")]
    public void A_bad_fps_is_refused_with_a_one_line_reason(string value)
    {
        Assert.False(StreamQuery.TryParse("/?action=stream&fps=" + value, out _, out var error));
        Assert.NotNull(error);
        Assert.DoesNotContain('\n', error);
        Assert.Contains("fps '" + value + "' is not a number greater than 0 and at most 120", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_content_hash_tells_frames_apart_and_is_the_same_for_the_same_bytes()
    {
        var a = new byte[4097];
        Random.Shared.NextBytes(a);
        var b = (byte[])a.Clone();
        Assert.Equal(Frame.Hash(a), Frame.Hash(b));
        for (var at = 0; at < a.Length; at += 511)
        {
            b[at] ^= 1;
            Assert.NotEqual(Frame.Hash(a), Frame.Hash(b));
            b[at] ^= 1;
        }

        b[^1] ^= 0x80;
        Assert.NotEqual(Frame.Hash(a), Frame.Hash(b));
    }
}

/// <summary>-stream_fps and -drop_same_frames as output_http.so reads them.</summary>
public sealed class ClientShapingOptionTests
{
    private static HttpOutputOptions Parse(params string[] words) =>
        HttpOutputOptions.From(MjpgStreamer.Core.Options.PluginOptionParser.Parse("output_http.so", words, HttpOutputOptions.Specs, HttpOutputOptions.Help));

    [Fact]
    public void The_options_are_off_by_default_and_read_when_given()
    {
        var defaults = Parse();
        Assert.Null(defaults.StreamFps);
        Assert.Equal(0, defaults.DropSameFrames);
        var given = Parse("-stream_fps", "7.5", "-drop_same_frames", "20");
        Assert.Equal(7.5, given.StreamFps);
        Assert.Equal(20, given.DropSameFrames);
    }

    [Theory]
    [InlineData("-stream_fps", "0", "-stream_fps '0' is not a number greater than 0 and at most 120")]
    [InlineData("-stream_fps", "fast", "-stream_fps 'fast' is not a number greater than 0 and at most 120")]
    [InlineData("-drop_same_frames", "-1", "-drop_same_frames '-1' is not a whole number of at least 0")]
    public void A_bad_value_is_a_usage_error_naming_it(string option, string value, string message)
    {
        var error = Assert.Throws<MjpgStreamer.Core.Options.UsageException>(() => Parse(option, value));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
