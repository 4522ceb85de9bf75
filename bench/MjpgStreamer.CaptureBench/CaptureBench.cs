using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Sources.Uvc;
using static MjpgStreamer.CaptureBench.Cells;

namespace MjpgStreamer.CaptureBench;

/// <summary>`capture`: input_uvc.so built by its plugin factory, as the server builds it, read by N draining clients.</summary>
internal static class CaptureBench
{
    public const string V4l2LibraryVariable = "MJPG_STREAMER_V4L2_LIB";
    private const double WarmupSeconds = 2;

    public static async Task<int> RunAsync(CaptureCommand command, TextWriter output, TextWriter error)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(V4l2LibraryVariable)))
        {
            await error.WriteLineAsync($"error: capture needs {V4l2LibraryVariable}=/abs/path/libfakecam.so (make -C tests/native/fakecam; see docs/testing.md)").ConfigureAwait(false);
            return 1;
        }

        using var loggerFactory = CreateLoggerFactory();
        IFrameSource source;
        try
        {
            var parsed = PluginOptionParser.Parse(UvcSource.PluginName, command.PluginWords, UvcSource.Plugin.Options, UvcSource.Plugin.Help);
            source = UvcSource.Plugin.Create(parsed, new PluginEnvironment(TimeProvider.System, loggerFactory));
        }
        catch (Exception ex) when (ex is UsageException or StartupException)
        {
            await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        var workers = source is UvcSource uvc && uvc.Options.Raw is not null ? uvc.Options.Workers : 0;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"input_uvc.so {string.Join(' ', command.PluginWords)}   ({(command.Yuyv ? $"YUYV encoded by {workers} workers, quality {((UvcSource)source).Options.Quality}" : "MJPEG passed through")}); {command.Clients} draining client(s); {WarmupSeconds:F0} s warm-up, {command.Seconds:F1} s measured")).ConfigureAwait(false);

        var stream = new CameraStream(0, UvcSource.PluginName, " " + string.Join(' ', command.PluginWords), source, TimeProvider.System, loggerFactory.CreateLogger(UvcSource.PluginName));
        using var stop = new CancellationTokenSource();
        var capacity = (int)Math.Min(1_000_000, (command.Fps * command.Seconds * 2) + 100);
        var clients = new List<DrainingClient>();
        CaptureResult result;
        try
        {
            for (var i = 0; i < command.Clients; i++)
            {
                clients.Add(new DrainingClient(stream.Hub, i == 0 ? capacity : 1, null, stop.Token));
            }

            stream.Start();
            await Task.Delay(TimeSpan.FromSeconds(WarmupSeconds)).ConfigureAwait(false);
            if (stream.Hub.FramesPublished == 0)
            {
                await error.WriteLineAsync($"error: no frame within the {WarmupSeconds:F0} s warm-up; input state {stream.Context.State.ToJsonName()} {stream.Context.Reason}".TrimEnd()).ConfigureAwait(false);
                return 1;
            }

            var received0 = clients.Select(c => c.Frames).ToArray();
            var published0 = stream.Hub.FramesPublished;
            clients[0].StartRecording();
            var start = ProcessMeter.Now();
            Thread.Sleep(TimeSpan.FromSeconds(command.Seconds));
            var use = ProcessMeter.Now().Since(start);
            var published = stream.Hub.FramesPublished - published0;
            clients[0].StopRecording();
            var minReceived = clients.Select((c, i) => c.Frames - received0[i]).Min();
            result = new CaptureResult(published, minReceived, use, clients[0].RecordedLengths.ToArray(), clients[0].LastSize, stream.Context.State, stream.Context.Reason);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            foreach (var client in clients)
            {
                client.Dispose();
            }

            await stream.DisposeAsync().ConfigureAwait(false);
        }

        await output.WriteAsync(Format(command, result)).ConfigureAwait(false);
        if (result.State != InputState.Streaming)
        {
            await error.WriteLineAsync($"error: the input ended the run as {result.State.ToJsonName()}: {result.Reason}").ConfigureAwait(false);
            return 1;
        }

        return 0;
    }

    private static string Format(CaptureCommand command, CaptureResult result)
    {
        var use = result.Use;
        var sizes = result.Lengths.Select(l => (double)l).ToArray();
        var table = new TextTable("measure", "value");
        table.Add("frames published", I(result.Published));
        table.Add("fps", F(result.Published / use.Wall.TotalSeconds, 1) + $" (asked {command.Fps})");
        table.Add("frames received, slowest client", I(result.MinReceived));
        table.Add("process CPU ms/frame", F(use.CpuMsPer(result.Published), 3));
        table.Add("process CPU % of a core", F(use.CpuPercentOfCore, 1));
        table.Add("allocated B/frame", F(use.BytesPer(result.Published), 1));
        table.Add("allocated bytes in window", $"{I(use.AllocatedBytes)} (the meter's own reading: {I(ProcessMeter.OwnAllocationBytes())})");
        table.Add("GC gen0/1/2 in window", use.GcCounts);
        table.Add("frame size median bytes", sizes.Length == 0 ? "n/a" : F(Samples.Median(sizes), 0));
        table.Add("frame size p90 bytes", sizes.Length == 0 ? "n/a" : F(Samples.Percentile(sizes, 90), 0));
        table.Add("picture", $"{result.Size.Width}x{result.Size.Height}");
        return table + string.Create(CultureInfo.InvariantCulture,
            $"(CPU is the whole process over {use.Wall.TotalSeconds:F1} s, the fake camera's own work included: per docs/testing.md and its selftest that is a memcpy per frame, about 0.25 % of a core at 1080p30 MJPEG)\n");
    }

    private static ILoggerFactory CreateLoggerFactory() => LoggerFactory.Create(logging =>
    {
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
            console.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    });

    private sealed record CaptureResult(long Published, long MinReceived, ProcessUse Use, int[] Lengths, (int Width, int Height) Size, InputState State, string? Reason);
}
