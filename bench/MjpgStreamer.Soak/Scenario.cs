using System.Diagnostics;

namespace MjpgStreamer.Soak;

/// <summary>Helpers the scenarios share.</summary>
internal static class Scenario
{
    public static readonly TimeSpan FirstFrameTimeout = TimeSpan.FromSeconds(20);

    /// <summary>A stream client that has its first frame; a failure is noted when it has none in time.</summary>
    public static async Task<Viewer> HealthyViewerAsync(SoakServer server, ScenarioResult result)
    {
        var viewer = new Viewer(server.Port);
        if (!await viewer.WaitForFrameAsync(0, FirstFrameTimeout).ConfigureAwait(false))
        {
            result.Fail($"the healthy client got no first frame within {FirstFrameTimeout.TotalSeconds:0} s ({viewer.Failure ?? "no failure"})");
        }

        return viewer;
    }

    /// <summary>Checks that the healthy client kept its rate since <paramref name="from"/> and is still connected.</summary>
    public static void CheckHealthy(Viewer viewer, long from, SoakOptions options, ScenarioResult result)
    {
        var fps = viewer.Fps(from, Stopwatch.GetTimestamp());
        result.AddFps(fps);
        if (viewer.Failure is { } failure)
        {
            result.Fail("the healthy client's stream broke: " + failure);
        }

        if (fps < options.MinHealthyFps)
        {
            result.Fail($"the healthy client got {fps:0.0} fps (at least {options.MinHealthyFps:0.#} expected)");
        }
    }

    public static void CheckAlive(SoakServer server, ScenarioResult result)
    {
        if (server.HasExited)
        {
            result.Fail("the server exited:\n" + server.LogTail);
        }
    }

    public static bool TimeLeft(long started, TimeSpan limit) => Stopwatch.GetElapsedTime(started) < limit;

    /// <summary>Runs <paramref name="work"/> with at most <paramref name="concurrency"/> calls in flight, until it returns false.</summary>
    public static async Task RunConcurrentlyAsync(int concurrency, Func<Task<bool>> work)
    {
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (await work().ConfigureAwait(false))
            {
            }
        });
        await Task.WhenAll(workers).ConfigureAwait(false);
    }
}
