using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MjpgStreamer.LoadClient;

/// <summary>Renders a <see cref="LoadReport"/> as aligned text or as one JSON object (written by hand: no reflection).</summary>
internal static class ReportFormatter
{
    public static string ToText(LoadReport r)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(c, $"clients             {r.Clients}");
        sb.AppendLine(c, $"duration            {r.DurationSeconds:0.00} s (after {r.WarmupSeconds:0.##} s warmup)");
        sb.AppendLine(c, $"fps per client      min {F(r.FpsMin, "0.0")}  median {F(r.FpsMedian, "0.0")}  max {F(r.FpsMax, "0.0")}");
        sb.AppendLine(c, $"received/published  min {F(r.ReceivedPercentMin, "0.0")} %  median {F(r.ReceivedPercentMedian, "0.0")} %  (input published {F(r.PublishedFrames)} frames)");
        sb.AppendLine(c, $"latency             p50 {F(r.LatencyP50Ms, "0.00")} ms  p99 {F(r.LatencyP99Ms, "0.00")} ms  max {F(r.LatencyMaxMs, "0.00")} ms  ({r.LatencySamples} frames)");
        sb.AppendLine(c, $"throughput          {r.MegabytesPerSecond:0.00} MB/s ({r.TotalFrames} frames, {r.TotalBytes} bytes)");
        sb.AppendLine(r.ServerCpuSeconds is null
            ? "server CPU          n/a (needs --pid)"
            : string.Create(c, $"server CPU          {F(r.ServerCpuSeconds, "0.00")} s ({F(r.ServerCpuPercent, "0.0")} % of one core)"));
        sb.AppendLine(r.RssEndMiB is null
            ? "server RSS          n/a (needs --pid)"
            : string.Create(c, $"server RSS          end {F(r.RssEndMiB, "0.0")} MiB  max {F(r.RssMaxMiB, "0.0")} MiB"));
        sb.AppendLine(c, $"server GC           gen0 +{F(r.GcGen0)}  gen1 +{F(r.GcGen1)}  gen2 +{F(r.GcGen2)}");
        sb.AppendLine(c, $"connection errors   {r.ConnectionErrors} ({r.ConnectFailures} connect, {r.BrokenStreams} broken streams)");
        if (r.FramesWithoutTimestamp > 0)
        {
            sb.AppendLine(c, $"note                {r.FramesWithoutTimestamp} frames had no X-Timestamp (no latency sample)");
        }

        foreach (var warning in r.Warnings)
        {
            sb.AppendLine(c, $"warning             {warning}");
        }

        foreach (var failure in r.Failures.Take(10))
        {
            sb.AppendLine(c, $"failure             {failure}");
        }

        return sb.ToString();
    }

    public static string ToJson(LoadReport r)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("clients", r.Clients);
            w.WriteNumber("duration_s", Round(r.DurationSeconds, 3));
            w.WriteNumber("warmup_s", r.WarmupSeconds);
            w.WriteStartObject("fps");
            Number(w, "min", r.FpsMin, 2);
            Number(w, "median", r.FpsMedian, 2);
            Number(w, "max", r.FpsMax, 2);
            w.WriteEndObject();
            Number(w, "published_frames", r.PublishedFrames);
            w.WriteStartObject("received_pct");
            Number(w, "min", r.ReceivedPercentMin, 2);
            Number(w, "median", r.ReceivedPercentMedian, 2);
            w.WriteEndObject();
            w.WriteStartObject("latency_ms");
            Number(w, "p50", r.LatencyP50Ms, 3);
            Number(w, "p99", r.LatencyP99Ms, 3);
            Number(w, "max", r.LatencyMaxMs, 3);
            w.WriteNumber("samples", r.LatencySamples);
            w.WriteEndObject();
            w.WriteNumber("frames_total", r.TotalFrames);
            w.WriteNumber("frames_without_timestamp", r.FramesWithoutTimestamp);
            w.WriteNumber("bytes_total", r.TotalBytes);
            w.WriteNumber("mb_per_s", Round(r.MegabytesPerSecond, 3));
            Number(w, "server_cpu_s", r.ServerCpuSeconds, 3);
            Number(w, "server_cpu_pct", r.ServerCpuPercent, 2);
            Number(w, "rss_end_mib", r.RssEndMiB, 1);
            Number(w, "rss_max_mib", r.RssMaxMiB, 1);
            w.WriteStartObject("gc");
            Number(w, "gen0", r.GcGen0);
            Number(w, "gen1", r.GcGen1);
            Number(w, "gen2", r.GcGen2);
            w.WriteEndObject();
            w.WriteNumber("connection_errors", r.ConnectionErrors);
            w.WriteNumber("connect_failures", r.ConnectFailures);
            w.WriteNumber("broken_streams", r.BrokenStreams);
            Strings(w, "failures", r.Failures);
            Strings(w, "warnings", r.Warnings);
            w.WriteBoolean("ok", r.Ok);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    private static string F(double? value, string format) =>
        value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    private static string F(long? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "n/a";

    private static double Round(double value, int digits) => Math.Round(value, digits, MidpointRounding.AwayFromZero);

    private static void Number(Utf8JsonWriter w, string name, double? value, int digits)
    {
        if (value is { } v && double.IsFinite(v))
        {
            w.WriteNumber(name, Round(v, digits));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void Number(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void Strings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }
}
