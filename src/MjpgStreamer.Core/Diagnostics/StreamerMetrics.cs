using System.Diagnostics.Metrics;
using System.Globalization;

namespace MjpgStreamer.Core.Diagnostics;

/// <summary>
/// The program's metrics (Meter "MjpgStreamer"), exported as Prometheus text on output_http's /metrics
/// (<see cref="PrometheusCollector"/>). Every call site passes tags from a cache (the boxed input and output
/// numbers are made once), so recording a measurement allocates nothing, even per frame and per client.
/// </summary>
public static class StreamerMetrics
{
    public const string MeterName = "MjpgStreamer";

    /// <summary>The encode-time histogram's bucket bounds, in seconds.</summary>
    public static readonly double[] EncodeBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5];

    private static readonly Meter Meter = new(MeterName, "1");

    private static readonly Counter<long> Captured = Meter.CreateCounter<long>(
        "mjpg_streamer_frames_captured", description: "Frames an input published (keep-alive frames of a pause not counted).");

    private static readonly Counter<long> Dropped = Meter.CreateCounter<long>(
        "mjpg_streamer_frames_dropped", description: "Frames an input dropped before publishing them (every encoder busy, or a bad buffer).");

    private static readonly Counter<long> Served = Meter.CreateCounter<long>(
        "mjpg_streamer_frames_served", description: "Frames written to stream clients and snapshot requests.");

    private static readonly Counter<long> Skipped = Meter.CreateCounter<long>(
        "mjpg_streamer_frames_skipped", description: "Frames a stream client skipped because it read slower than the input published (the latest frame wins).");

    private static readonly Counter<long> BytesSent = Meter.CreateCounter<long>(
        "mjpg_streamer_sent_bytes", "By", "Bytes of frames written to stream clients and snapshot requests (headers and boundaries included).");

    private static readonly UpDownCounter<long> StreamClients = Meter.CreateUpDownCounter<long>(
        "mjpg_streamer_stream_clients", description: "Stream clients connected now.");

    private static readonly Histogram<double> EncodeTime = Meter.CreateHistogram<double>(
        "mjpg_streamer_encode_seconds", "s", "Time to encode one raw frame (YUYV, RGB, test pattern) to JPEG.");

    private static readonly Counter<long> Pauses = Meter.CreateCounter<long>(
        "mjpg_streamer_pauses", description: "Times an input was paused (lock file or HTTP pause).");

    private static readonly Counter<long> Reconnects = Meter.CreateCounter<long>(
        "mjpg_streamer_reconnects", description: "Times an input streamed again after losing its device (no_signal then streaming).");

    private static readonly Counter<long> Stills = Meter.CreateCounter<long>(
        "mjpg_streamer_stills", description: "Stills taken (?action=still), by result (ok, failed).");

    private static readonly Counter<long> Refusals = Meter.CreateCounter<long>(
        "mjpg_streamer_requests_refused", description: "HTTP requests refused, by reason (auth, host, cross_site, stills_busy, max_clients).");

    private static readonly Lock Gate = new();
    private static KeyValuePair<string, object?>[] _inputTags = [];
    private static KeyValuePair<string, object?>[] _outputTags = [];

    /// <summary>The tag input="N" (cached: the same boxed value every time).</summary>
    public static KeyValuePair<string, object?> InputTag(int input) => Tag(ref _inputTags, "input", input);

    /// <summary>The tag output="N" (cached).</summary>
    public static KeyValuePair<string, object?> OutputTag(int output) => Tag(ref _outputTags, "output", output);

    public static void FrameCaptured(in KeyValuePair<string, object?> input) => Captured.Add(1, input);

    public static void FrameDropped(in KeyValuePair<string, object?> input) => Dropped.Add(1, input);

    /// <summary>One frame written to a client of an output: the frame, its bytes, and the frames it skipped since its last one.</summary>
    public static void FrameServed(in KeyValuePair<string, object?> output, in KeyValuePair<string, object?> input, int bytes, long skipped)
    {
        Served.Add(1, output, input);
        BytesSent.Add(bytes, output);
        if (skipped > 0)
        {
            Skipped.Add(skipped, output, input);
        }
    }

    public static void StreamClientConnected(in KeyValuePair<string, object?> output) => StreamClients.Add(1, output);

    public static void StreamClientLeft(in KeyValuePair<string, object?> output) => StreamClients.Add(-1, output);

    /// <summary>The time one encode took, from two <see cref="TimeProvider.GetTimestamp"/> values.</summary>
    public static void Encoded(in KeyValuePair<string, object?> input, TimeProvider time, long startTimestamp)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (EncodeTime.Enabled)
        {
            EncodeTime.Record(time.GetElapsedTime(startTimestamp).TotalSeconds, input);
        }
    }

    public static void Paused(in KeyValuePair<string, object?> input) => Pauses.Add(1, input);

    public static void Reconnected(in KeyValuePair<string, object?> input) => Reconnects.Add(1, input);

    public static void StillTaken(in KeyValuePair<string, object?> input, bool ok) =>
        Stills.Add(1, input, new KeyValuePair<string, object?>("result", ok ? "ok" : "failed"));

    /// <summary>
    /// One HTTP request refused; <paramref name="reason"/> is a short constant such as "auth", "cross_site" or
    /// "max_clients" (a label value: keep the set small and never put request data in it).
    /// </summary>
    public static void Refused(string reason) => Refusals.Add(1, new KeyValuePair<string, object?>("reason", reason));

    private static KeyValuePair<string, object?> Tag(ref KeyValuePair<string, object?>[] cache, string name, int number)
    {
        var tags = Volatile.Read(ref cache);
        if ((uint)number < (uint)tags.Length)
        {
            return tags[number];
        }

        lock (Gate)
        {
            tags = cache;
            if (number >= tags.Length)
            {
                var grown = new KeyValuePair<string, object?>[Math.Max(number + 1, 8)];
                tags.CopyTo(grown, 0);
                for (var i = tags.Length; i < grown.Length; i++)
                {
                    grown[i] = new(name, i.ToString(CultureInfo.InvariantCulture));
                }

                Volatile.Write(ref cache, grown);
                tags = grown;
            }

            return number < 0 ? new(name, number.ToString(CultureInfo.InvariantCulture)) : tags[number];
        }
    }
}
