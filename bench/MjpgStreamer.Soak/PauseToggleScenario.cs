using System.Diagnostics;

namespace MjpgStreamer.Soak;

/// <summary>
/// f. The pause file created and removed again and again (seeded random gaps: mostly a few milliseconds, now and
/// then long enough for the camera to be released and taken again) with stream clients connected: they stay
/// connected, get real frames (more than the keep-alive's one a second) after the last resume, and the server's
/// descriptors and threads after it are no more than before the toggling (plus a small margin).
/// </summary>
public static class PauseToggleScenario
{
    private const int FdMargin = 4;
    private const int ThreadMargin = 8;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    public static async Task<ScenarioResult> RunAsync(SoakOptions options, CancellationToken cancellationToken = default)
    {
        var result = new ScenarioResult("f. pause toggles");
        await using var server = await SoakServer.StartAsync(options.Executable, [options.TestPattern], cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var sampler = new ProcessSampler(server.Pid);
        var viewers = new List<Viewer>();
        try
        {
            for (var i = 0; i < options.PauseClients; i++)
            {
                viewers.Add(await Scenario.HealthyViewerAsync(server, result).ConfigureAwait(false));
            }

            await Task.Delay(Settle, cancellationToken).ConfigureAwait(false);
            var before = sampler.Sample();
            var random = new Random(options.Seed);
            var started = Stopwatch.GetTimestamp();
            var toggles = 0;
            options.Note($"f: toggling {server.PauseFile} up to {options.PauseToggles} times (seed {options.Seed})");
            while (toggles < options.PauseToggles && Scenario.TimeLeft(started, options.PauseCap) && !server.HasExited && !cancellationToken.IsCancellationRequested)
            {
                if (toggles % 2 == 0)
                {
                    await File.WriteAllBytesAsync(server.PauseFile, [], cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    File.Delete(server.PauseFile);
                }

                toggles++;
                result.CountRequest();
                var gap = random.Next(100) switch
                {
                    0 => random.Next(100, 600),
                    < 50 => 0,
                    _ => random.Next(1, 4),
                };
                if (gap > 0)
                {
                    await Task.Delay(gap, cancellationToken).ConfigureAwait(false);
                }
            }

            File.Delete(server.PauseFile);
            var resumed = Stopwatch.GetTimestamp();
            await Task.Delay(Settle, cancellationToken).ConfigureAwait(false);
            var after = sampler.Sample();
            var now = Stopwatch.GetTimestamp();
            foreach (var viewer in viewers)
            {
                var fps = viewer.Fps(resumed + (long)(1.0 * Stopwatch.Frequency), now);
                result.AddFps(fps);
                if (viewer.Failure is { } failure)
                {
                    result.Fail("a stream client broke: " + failure);
                }
                else if (fps < 5)
                {
                    result.Fail($"a stream client got {fps:0.0} fps after the last resume (real frames expected, not only keep-alives)");
                }
            }

            if (before is { } b && after is { } a)
            {
                if (a.Fds > b.Fds + FdMargin)
                {
                    result.Fail($"descriptors grew from {b.Fds} to {a.Fds}");
                }

                if (a.Threads > b.Threads + ThreadMargin)
                {
                    result.Fail($"threads grew from {b.Threads} to {a.Threads}");
                }

                result.Work = $"{toggles} of {options.PauseToggles} toggles (seed {options.Seed}); fds {b.Fds}→{a.Fds}, threads {b.Threads}→{a.Threads}";
            }
            else
            {
                result.Fail("the server's figures could not be read");
            }

            if (toggles < options.PauseToggles)
            {
                result.Work += " (time cap)";
            }

            Scenario.CheckAlive(server, result);
        }
        finally
        {
            foreach (var viewer in viewers)
            {
                await viewer.DisposeAsync().ConfigureAwait(false);
            }
        }

        result.Finish(sampler);
        return result;
    }
}
