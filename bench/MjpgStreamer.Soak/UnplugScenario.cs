using System.Diagnostics;

namespace MjpgStreamer.Soak;

/// <summary>
/// d. The fake camera unplugged every <see cref="SoakOptions.UnplugEveryFrames"/> frames and replugged 100 ms later,
/// again and again (FAKECAM_UNPLUG_EVERY_FRAMES): the server streams again after each replug (the fake's next unplug
/// comes only after it dequeued that many frames), and a stream client connected throughout gets real frames
/// (more than the one-a-second keep-alive frames) between each replug and the next unplug.
/// </summary>
public static class UnplugScenario
{
    private const string Unplug = "fakecam: unplug";
    private const string Replug = "fakecam: replug";
    private static readonly TimeSpan CycleTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Delivery = TimeSpan.FromMilliseconds(300);

    public static async Task<ScenarioResult> RunAsync(SoakOptions options, CancellationToken cancellationToken = default)
    {
        var result = new ScenarioResult("d. unplug/replug");
        if (options.FakecamLibrary is not { } library || !File.Exists(library))
        {
            result.Fail("no libfakecam.so (make -C tests/native/fakecam)");
            result.Finish(null);
            return result;
        }

        await using var server = await SoakServer.StartAsync(
            options.Executable,
            ["input_uvc.so -d {folder}/video0 -r 640x480 -f 30"],
            prepare: folder =>
            {
                return new Dictionary<string, string>
                {
                    ["MJPG_STREAMER_V4L2_LIB"] = library,
                    ["FAKECAM_DEVICES"] = Path.Combine(folder, "video0"),
                    ["FAKECAM_UNPLUG_EVERY_FRAMES"] = options.UnplugEveryFrames.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["FAKECAM_REPLUG_AFTER_MS"] = "100",
                    ["FAKECAM_LOG"] = "1",
                };
            },
            watch: [Unplug, Replug],
            cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var sampler = new ProcessSampler(server.Pid);
        await using var viewer = await Scenario.HealthyViewerAsync(server, result).ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        var done = 0;
        while (done < options.UnplugCycles && Scenario.TimeLeft(started, options.UnplugCap) && !cancellationToken.IsCancellationRequested)
        {
            // Cycle k is done when the camera came back and the server dequeued enough frames for the next unplug.
            var waitStart = Stopwatch.GetTimestamp();
            while (server.LineTimes(Unplug).Count < done + 2 && Stopwatch.GetElapsedTime(waitStart) < CycleTimeout && !server.HasExited)
            {
                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            }

            if (server.LineTimes(Unplug).Count < done + 2)
            {
                result.Fail($"cycle {done + 1}: no frames from the camera within {CycleTimeout.TotalSeconds:0} s of the replug ({server.LineTimes(Replug).Count} replugs, {server.LineTimes(Unplug).Count} unplugs seen)");
                break;
            }

            done++;
            result.CountRequest();
        }

        await Task.Delay(Delivery, cancellationToken).ConfigureAwait(false);
        var unplugs = server.LineTimes(Unplug);
        var replugs = server.LineTimes(Replug);
        var least = Math.Max(2, options.UnplugEveryFrames / 3);
        var lowest = long.MaxValue;
        for (var i = 0; i < done && i < replugs.Count && i + 1 < unplugs.Count; i++)
        {
            var frames = viewer.FramesSince(replugs[i]) - viewer.FramesSince(unplugs[i + 1] + (long)(Delivery.TotalSeconds * Stopwatch.Frequency));
            lowest = Math.Min(lowest, frames);
            if (frames < least)
            {
                result.Fail($"cycle {i + 1}: the stream client got {frames} frames between the replug and the next unplug (at least {least} expected)");
            }
        }

        if (viewer.Failure is { } failure)
        {
            result.Fail("the stream client broke: " + failure);
        }

        Scenario.CheckAlive(server, result);
        result.AddFps(viewer.Fps(started, Stopwatch.GetTimestamp()));
        result.Work = $"{done} of {options.UnplugCycles} cycles; fewest frames after a replug {(lowest == long.MaxValue ? "-" : lowest.ToString(System.Globalization.CultureInfo.InvariantCulture))}";
        if (done < options.UnplugCycles && result.Passed)
        {
            result.Work += " (time cap)";
        }

        result.Finish(sampler);
        return result;
    }
}
