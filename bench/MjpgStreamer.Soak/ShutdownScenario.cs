using System.Diagnostics;

namespace MjpgStreamer.Soak;

/// <summary>g. SIGTERM with many stream clients connected: the server exits 0 within <see cref="SoakOptions.TermLimit"/>.</summary>
public static class ShutdownScenario
{
    public static async Task<ScenarioResult> RunAsync(SoakOptions options, CancellationToken cancellationToken = default)
    {
        var result = new ScenarioResult("g. SIGTERM under load");
        var slowest = TimeSpan.Zero;
        for (var round = 0; round < options.TermRounds && !cancellationToken.IsCancellationRequested; round++)
        {
            await using var server = await SoakServer.StartAsync(options.Executable, [options.TestPattern], "-max_clients 0", cancellationToken: cancellationToken).ConfigureAwait(false);
            await using var sampler = new ProcessSampler(server.Pid);
            var viewers = new List<Viewer>();
            try
            {
                for (var i = 0; i < options.TermClients; i++)
                {
                    viewers.Add(new Viewer(server.Port));
                    result.CountRequest();
                }

                var ready = Stopwatch.GetTimestamp();
                foreach (var viewer in viewers)
                {
                    var left = Scenario.FirstFrameTimeout - Stopwatch.GetElapsedTime(ready);
                    if (!await viewer.WaitForFrameAsync(0, left > TimeSpan.Zero ? left : TimeSpan.Zero).ConfigureAwait(false))
                    {
                        result.Fail($"a stream client got no first frame ({viewer.Failure ?? "no failure"})");
                        break;
                    }
                }

                sampler.Sample();
                var (code, elapsed) = await server.TerminateAsync(options.TermLimit + TimeSpan.FromSeconds(3)).ConfigureAwait(false);
                slowest = elapsed > slowest ? elapsed : slowest;
                if (code is null)
                {
                    result.Fail($"no exit within {options.TermLimit.TotalSeconds + 3:0} s of SIGTERM");
                }
                else if (code != 0)
                {
                    result.Fail($"exit code {code} after SIGTERM:\n{server.LogTail}");
                }
                else if (elapsed > options.TermLimit)
                {
                    result.Fail($"exit took {elapsed.TotalSeconds:0.00} s after SIGTERM (limit {options.TermLimit.TotalSeconds:0.#} s)");
                }

                result.Finish(sampler);
            }
            finally
            {
                foreach (var viewer in viewers)
                {
                    await viewer.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        result.Work = $"{options.TermRounds} × {options.TermClients} clients; slowest exit {slowest.TotalSeconds:0.00} s";
        return result;
    }
}
