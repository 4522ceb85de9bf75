using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Interop;
using MjpgStreamer.Native.Jpeg;
using MjpgStreamer.Native.Sources.Uvc;
using static MjpgStreamer.CaptureBench.Cells;

namespace MjpgStreamer.CaptureBench;

/// <summary>`encode`: the YUYV → JPEG path on one thread, then through the encoder pool.</summary>
internal static class EncodeBench
{
    private const double WarmupSeconds = 1;
    private const int MaxSamples = 100_000;

    public static int Run(EncodeCommand command, TextWriter output)
    {
        var (width, height) = (command.Width, command.Height);
        var picture = TestPicture.CreateYuyv(width, height);
        var singleSeconds = Math.Clamp(command.Seconds / 2, 1, 5);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"test picture: {width}x{height} YUYV ({picture.Length} bytes): colour bars, luma ramp + chroma sweep, pixel noise; quality {command.Quality}"));
        output.WriteLine();

        SingleThread(picture, command, singleSeconds, output);
        Pool(picture, command, output);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"(c) allocations: GC.GetTotalAllocatedBytes(precise) over each measured window / frames, after its warm-up; a window includes one reading of the meter ({ProcessMeter.OwnAllocationBytes()} B)"));
        return 0;
    }

    private static void SingleThread(byte[] picture, EncodeCommand command, double seconds, TextWriter output)
    {
        var (width, height) = (command.Width, command.Height);
        var lumaBytes = width * height;
        var planes = new byte[lumaBytes * 2];
        var y = planes.AsMemory(0, lumaBytes);
        var u = planes.AsMemory(lumaBytes, lumaBytes / 2);
        var v = planes.AsMemory(lumaBytes + (lumaBytes / 2), lumaBytes / 2);
        var split = new double[MaxSamples];
        var encode = new double[MaxSamples];
        var total = new double[MaxSamples];
        var pool = new FramePool();
        using var encoder = new JpegEncoder();
        var jpegBytes = 0;

        // Warm-up (JIT tiers, libjpeg-turbo's tables, the frame buffer), then the measured frames.
        var samples = 0;
        ProcessUse use = default;
        for (var phase = 0; phase < 2; phase++)
        {
            var measuring = phase == 1;
            var start = ProcessMeter.Now();
            var until = Stopwatch.GetTimestamp() + (long)((measuring ? seconds : WarmupSeconds) * Stopwatch.Frequency);
            var n = 0;
            while (Stopwatch.GetTimestamp() < until && n < MaxSamples)
            {
                var t0 = Stopwatch.GetTimestamp();
                PackedPixels.SplitPacked422(picture, width, height, width * 2, uyvy: false, y.Span, u.Span, v.Span);
                var t1 = Stopwatch.GetTimestamp();
                var frame = pool.Rent();
                jpegBytes = encoder.EncodeYuvPlanes(y.Span, u.Span, v.Span, width, height, JpegEncoder.Subsampling422, command.Quality, frame);
                frame.Release();
                var t2 = Stopwatch.GetTimestamp();
                split[n] = Ms(t1 - t0);
                encode[n] = Ms(t2 - t1);
                total[n] = Ms(t2 - t0);
                n++;
            }

            if (measuring)
            {
                use = ProcessMeter.Now().Since(start);
                samples = n;
            }
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"(a) one thread, per frame: PackedPixels.SplitPacked422 + JpegEncoder.EncodeYuvPlanes 4:2:2; {samples} frames in {use.Wall.TotalSeconds:F1} s after {WarmupSeconds:F0} s warm-up"));
        var table = new TextTable("step", "median ms", "p90 ms");
        table.Add("split 4:2:2", F(Samples.Median(split.AsSpan(0, samples)), 3), F(Samples.Percentile(split.AsSpan(0, samples), 90), 3));
        table.Add("encode", F(Samples.Median(encode.AsSpan(0, samples)), 3), F(Samples.Percentile(encode.AsSpan(0, samples), 90), 3));
        table.Add("total", F(Samples.Median(total.AsSpan(0, samples)), 3), F(Samples.Percentile(total.AsSpan(0, samples), 90), 3));
        output.Write(table.ToString());
        var fps = 1000 / Samples.Median(total.AsSpan(0, samples));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fps (1000 / median total): {fps:F1}   JPEG: {jpegBytes} bytes   allocated: {use.BytesPer(samples):F1} B/frame   GC gen0/1/2: {use.GcCounts}"));
        output.WriteLine();
    }

    private static void Pool(byte[] picture, EncodeCommand command, TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"(b) RawFrameEncoderPool, fed by one thread as fast as it accepts frames (a refused frame: wait for the next published frame, at most 1 ms), one subscriber draining; {command.Seconds:F1} s after {WarmupSeconds:F0} s warm-up"));
        var table = new TextTable("workers", "submitted", "refused", "failed", "published", "fps", "CPU % of a core", "CPU ms/frame", "alloc B/frame", "alloc bytes", "GC gen0/1/2");
        var fpsByWorkers = new Dictionary<int, double>();
        var traces = new List<string>();
        foreach (var workers in command.Workers)
        {
            using var trace = TraceRequested ? new AllocationTrace() : null;
            var result = RunPool(picture, command, workers, trace);
            if (trace is not null)
            {
                traces.Add($"allocation ticks with {workers} worker(s) (type: sampled bytes, ticks): "
                    + string.Join("; ", trace.Top(8).Select(t => $"{t.Type}: {t.Bytes} B, {t.Ticks}")));
            }

            fpsByWorkers[workers] = result.Fps;
            table.Add(
                Cells.I(workers),
                Cells.I(result.Submitted),
                Cells.I(result.Refused),
                Cells.I(result.Failed),
                Cells.I(result.Published),
                F(result.Fps, 1),
                F(result.Use.CpuPercentOfCore, 0),
                F(result.Use.CpuMsPer(result.Published), 2),
                F(result.Use.BytesPer(result.Published), 1),
                Cells.I(result.Use.AllocatedBytes),
                result.Use.GcCounts);
        }

        output.Write(table.ToString());
        foreach (var line in traces)
        {
            output.WriteLine(line);
        }

        if (fpsByWorkers.TryGetValue(1, out var one) && fpsByWorkers.TryGetValue(2, out var two) && one > 0)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio 2 workers / 1 worker: {two / one:F2} (on {Environment.ProcessorCount} cores)"));
        }

        output.WriteLine();
    }

    /// <summary>CAPTUREBENCH_TRACE_ALLOCATIONS=1: name the types allocated in each pool window (the listener skews the byte counts).</summary>
    private static bool TraceRequested => Environment.GetEnvironmentVariable("CAPTUREBENCH_TRACE_ALLOCATIONS") == "1";

    private static PoolResult RunPool(byte[] picture, EncodeCommand command, int workers, AllocationTrace? trace)
    {
        var hub = new LatestFrameHub(TimeProvider.System);
        var context = new SourceContext(0, hub, new FramePool(), NullLogger.Instance);
        using var published = new SemaphoreSlim(0, 1);
        using var stop = new CancellationTokenSource();
        using var pool = new RawFrameEncoderPool(context, workers, command.Quality, "bench");
        pool.Configure(new RawFrameEncoderPool.RawFrameFormat(RawPixelLayout.Yuyv, command.Width, command.Height, command.Width * 2));
        using var client = new DrainingClient(hub, 1, published, stop.Token);

        long sequence = 0;
        long submitted = 0;
        long refused = 0;
        Feed(WarmupSeconds);
        var start = ProcessMeter.Now();
        var (submitted0, refused0, failed0, published0) = (submitted, refused, pool.Failed, hub.FramesPublished);
        trace?.Enabled = true;
        Feed(command.Seconds);
        trace?.Enabled = false;
        var use = ProcessMeter.Now().Since(start);
        var result = new PoolResult(submitted - submitted0, refused - refused0, pool.Failed - failed0, hub.FramesPublished - published0, use);

        pool.WaitIdle();
        stop.Cancel();
        client.Completion.Wait(TimeSpan.FromSeconds(5));
        hub.Clear();
        return result;

        void Feed(double seconds)
        {
            var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < until)
            {
                if (pool.TrySubmit(picture, ++sequence, 0))
                {
                    submitted++;
                    continue;
                }

                // Every worker busy: the next published frame means one is free (a frame that lost to a newer one
                // is not published, hence the bound).
                refused++;
                published.Wait(1);
            }
        }
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private readonly record struct PoolResult(long Submitted, long Refused, long Failed, long Published, ProcessUse Use)
    {
        public double Fps => Use.Wall <= TimeSpan.Zero ? 0 : Published / Use.Wall.TotalSeconds;
    }
}
