using System.Diagnostics.Metrics;
using MjpgStreamer.Core.Diagnostics;

namespace MjpgStreamer.Core.Tests.Diagnostics;

public sealed class PrometheusCollectorTests
{
    [Fact]
    public void Counters_gauges_and_histograms_are_written_in_the_text_format()
    {
        var name = "Test." + Guid.NewGuid().ToString("N");
        using var meter = new Meter(name);
        using var collector = new PrometheusCollector(name);
        var frames = meter.CreateCounter<long>("test_frames", description: "Frames.");
        var clients = meter.CreateUpDownCounter<long>("test.clients", description: "Clients\nnow.");
        var encode = meter.CreateHistogram<double>("test_encode_seconds", "s", "Encode time.");
        var input0 = new KeyValuePair<string, object?>("input", "0");
        var output1 = new KeyValuePair<string, object?>("output", "1");

        frames.Add(2, output1, input0);
        frames.Add(3, input0, output1); // the same series, tags in another order
        frames.Add(1, new KeyValuePair<string, object?>("input", "1"), output1);
        clients.Add(1, output1);
        clients.Add(1, output1);
        clients.Add(-1, output1);
        encode.Record(0.00390625, input0);
        encode.Record(0.015625, input0);
        encode.Record(8, input0);
        meter.CreateCounter<long>("test_reason", description: "With \"quotes\".").Add(1, new KeyValuePair<string, object?>("reason", "a\"b\\c"));

        Assert.Equal(
            """
            # HELP test_clients Clients\nnow.
            # TYPE test_clients gauge
            test_clients{output="1"} 1
            # HELP test_encode_seconds Encode time.
            # TYPE test_encode_seconds histogram
            test_encode_seconds_bucket{input="0",le="0.0001"} 0
            test_encode_seconds_bucket{input="0",le="0.00025"} 0
            test_encode_seconds_bucket{input="0",le="0.0005"} 0
            test_encode_seconds_bucket{input="0",le="0.001"} 0
            test_encode_seconds_bucket{input="0",le="0.0025"} 0
            test_encode_seconds_bucket{input="0",le="0.005"} 1
            test_encode_seconds_bucket{input="0",le="0.01"} 1
            test_encode_seconds_bucket{input="0",le="0.025"} 2
            test_encode_seconds_bucket{input="0",le="0.05"} 2
            test_encode_seconds_bucket{input="0",le="0.1"} 2
            test_encode_seconds_bucket{input="0",le="0.25"} 2
            test_encode_seconds_bucket{input="0",le="0.5"} 2
            test_encode_seconds_bucket{input="0",le="+Inf"} 3
            test_encode_seconds_sum{input="0"} 8.01953125
            test_encode_seconds_count{input="0"} 3
            # HELP test_frames_total Frames.
            # TYPE test_frames_total counter
            test_frames_total{input="0",output="1"} 5
            test_frames_total{input="1",output="1"} 1
            # HELP test_reason_total With "quotes".
            # TYPE test_reason_total counter
            test_reason_total{reason="a\"b\\c"} 1

            """,
            collector.WriteText());
    }

    [Fact]
    public void Recording_a_frame_allocates_nothing_once_its_series_exists()
    {
        using var collector = new PrometheusCollector(StreamerMetrics.MeterName);
        var output = StreamerMetrics.OutputTag(7);
        var input = StreamerMetrics.InputTag(5);
        StreamerMetrics.FrameServed(output, input, 1000, 1);
        StreamerMetrics.FrameCaptured(input);
        StreamerMetrics.Encoded(input, TimeProvider.System, TimeProvider.System.GetTimestamp());

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            StreamerMetrics.FrameServed(StreamerMetrics.OutputTag(7), StreamerMetrics.InputTag(5), 1000, 1);
            StreamerMetrics.FrameCaptured(input);
            StreamerMetrics.Encoded(input, TimeProvider.System, TimeProvider.System.GetTimestamp());
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Contains("mjpg_streamer_frames_served_total{input=\"5\",output=\"7\"} 10001", collector.WriteText(), StringComparison.Ordinal);
    }
}
