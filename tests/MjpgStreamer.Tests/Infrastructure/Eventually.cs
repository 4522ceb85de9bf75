using System.Diagnostics;

namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>
/// Bounded waits for a condition that another thread or process makes true: the condition is looked at
/// every few milliseconds and the wait ends as soon as it holds, so no test sleeps for a fixed time and
/// hopes. The bound only decides when the test fails.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(2);

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), () => what, timeout);

    public static Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(condition, () => what, timeout);

    /// <summary>As the others; <paramref name="what"/> is asked for only on failure, so it can show the last state seen.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, Func<string> what, TimeSpan? timeout = null)
    {
        var watch = Stopwatch.StartNew();
        var bound = timeout ?? DefaultTimeout;
        while (!await condition())
        {
            if (watch.Elapsed >= bound)
            {
                Assert.Fail($"timed out after {bound.TotalSeconds:0.#} s waiting until {what()}");
            }

            await Task.Delay(PollInterval);
        }
    }
}
