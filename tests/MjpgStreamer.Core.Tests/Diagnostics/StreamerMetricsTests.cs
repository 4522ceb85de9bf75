using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MjpgStreamer.Core.Diagnostics;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Streaming;

namespace MjpgStreamer.Core.Tests.Diagnostics;

public sealed class StreamerMetricsTests
{
    [Fact]
    public void An_input_counts_its_frames_and_a_reconnect_after_losing_its_device()
    {
        // Input 901: a number no other test uses, since the meter is the process's.
        using var collector = new PrometheusCollector(StreamerMetrics.MeterName);
        var context = new SourceContext(901, new LatestFrameHub(new FakeTimeProvider()), new FramePool(), NullLogger.Instance);

        Publish(context);
        context.SetState(InputState.NoSignal, "unplugged");
        context.SetState(InputState.Starting, "reopening");
        Publish(context);
        Publish(context);

        var text = collector.WriteText();
        Assert.Contains("mjpg_streamer_frames_captured_total{input=\"901\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("mjpg_streamer_reconnects_total{input=\"901\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Refusals_are_counted_by_reason()
    {
        using var collector = new PrometheusCollector(StreamerMetrics.MeterName);
        StreamerMetrics.Refused("test_reason_a");
        StreamerMetrics.Refused("test_reason_a");
        StreamerMetrics.Refused("test_reason_b");

        var text = collector.WriteText();
        Assert.Contains("mjpg_streamer_requests_refused_total{reason=\"test_reason_a\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("mjpg_streamer_requests_refused_total{reason=\"test_reason_b\"} 1\n", text, StringComparison.Ordinal);
    }

    private static void Publish(SourceContext context)
    {
        var frame = context.RentFrame(8);
        frame.Write([0xFF, 0xD8, 0xFF, 0xD9]);
        context.Publish(frame);
    }
}
