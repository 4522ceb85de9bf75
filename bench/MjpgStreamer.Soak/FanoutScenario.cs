using System.Diagnostics;

namespace MjpgStreamer.Soak;

/// <summary>
/// c. Many stream clients plus a steady rate of snapshots (-max_clients 0): no stream breaks, every snapshot is a
/// JPEG, every client gets frames in the measured time, and the server's resident memory stays below the bound.
/// Rounds (fresh clients each) repeat while the scenario's share lasts.
/// </summary>
public static class FanoutScenario
{
    private static readonly byte[] Snapshot = RawHttp.Request("GET", "/?action=snapshot", "Connection: close");

    public static async Task<ScenarioResult> RunAsync(SoakOptions options, CancellationToken cancellationToken = default)
    {
        var result = new ScenarioResult("c. fan-out + snapshots");
        await using var server = await SoakServer.StartAsync(options.Executable, [options.TestPattern], "-max_clients 0", cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var sampler = new ProcessSampler(server.Pid);
        var started = Stopwatch.GetTimestamp();
        var rounds = 0;
        long snapshots = 0;
        do
        {
            rounds++;
            snapshots += await RoundAsync(server, options, result, cancellationToken).ConfigureAwait(false);
            Scenario.CheckAlive(server, result);
        }
        while (!result.Failures.Any() && Scenario.TimeLeft(started, options.FanoutShare - options.FanoutTime - TimeSpan.FromSeconds(10))
            && !cancellationToken.IsCancellationRequested);

        result.Finish(sampler);
        if (result.ServerMax.RssKiB > options.RssLimitMiB * 1024)
        {
            result.Fail($"resident memory reached {result.ServerMax.RssKiB / 1024.0:0} MiB (bound {options.RssLimitMiB} MiB)");
        }

        result.Work = $"{rounds} × ({options.FanoutClients} clients + {options.SnapshotsPerSecond}/s snapshots for {options.FanoutTime.TotalSeconds:0} s); {snapshots} snapshots";
        return result;
    }

    private static async Task<long> RoundAsync(SoakServer server, SoakOptions options, ScenarioResult result, CancellationToken cancellationToken)
    {
        var viewers = new List<Viewer>();
        try
        {
            // Connect in steps of 50 so the listen backlog never overflows.
            for (var i = 0; i < options.FanoutClients; i++)
            {
                viewers.Add(new Viewer(server.Port));
                result.CountRequest();
                if (i % 50 == 49)
                {
                    await Task.Delay(50, cancellationToken).ConfigureAwait(false);
                }
            }

            var ready = Stopwatch.GetTimestamp();
            foreach (var viewer in viewers)
            {
                var left = Scenario.FirstFrameTimeout - Stopwatch.GetElapsedTime(ready);
                if (!await viewer.WaitForFrameAsync(0, left > TimeSpan.Zero ? left : TimeSpan.Zero).ConfigureAwait(false))
                {
                    result.Fail($"a stream client got no first frame within {Scenario.FirstFrameTimeout.TotalSeconds:0} s ({viewer.Failure ?? "no failure"})");
                    return 0;
                }
            }

            var from = Stopwatch.GetTimestamp();
            var interval = TimeSpan.FromSeconds(1.0 / options.SnapshotsPerSecond);
            var snapshots = new List<Task>();
            long count = 0;
            for (var due = TimeSpan.Zero; due < options.FanoutTime; due += interval)
            {
                var wait = due - Stopwatch.GetElapsedTime(from);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                }

                count++;
                snapshots.Add(SnapshotAsync(server.Port, result, cancellationToken));
            }

            await Task.WhenAll(snapshots).ConfigureAwait(false);
            var to = Stopwatch.GetTimestamp();
            var starved = 0;
            foreach (var viewer in viewers)
            {
                var fps = viewer.Fps(from, to);
                result.AddFps(fps);
                if (viewer.Failure is { } failure)
                {
                    result.Fail("a stream client broke: " + failure);
                }
                else if (fps <= 0)
                {
                    starved++;
                }
            }

            if (starved > 0)
            {
                result.Fail($"{starved} stream clients got no frame in {options.FanoutTime.TotalSeconds:0} s");
            }

            return count;
        }
        finally
        {
            foreach (var viewer in viewers)
            {
                await viewer.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task SnapshotAsync(int port, ScenarioResult result, CancellationToken cancellationToken)
    {
        result.CountRequest();
        var answer = await RawHttp.ExchangeAsync(port, Snapshot, TimeSpan.FromSeconds(10), readBody: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        var body = answer.Body;
        if (answer.Outcome != ExchangeOutcome.Answered || answer.Status != 200)
        {
            result.Fail($"snapshot: {answer.Outcome} {answer.Status} after {answer.Elapsed.TotalSeconds:0.0} s");
        }
        else if (body.Length < 4 || body[0] != 0xFF || body[1] != 0xD8 || body[^2] != 0xFF || body[^1] != 0xD9)
        {
            result.Fail($"snapshot: not a whole JPEG ({body.Length} bytes)");
        }
    }
}
