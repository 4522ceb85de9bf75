using System.Diagnostics;

namespace MjpgStreamer.Native.Tests.TestSupport;

/// <summary>
/// Bounded waits for a condition another thread makes true (as MjpgStreamer.Tests' Eventually): the condition is
/// looked at every few milliseconds and the wait ends as soon as it holds; the bound only decides when the test fails.
/// </summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static async Task UntilAsync(Func<bool> condition, Func<string> what, TimeSpan? timeout = null)
    {
        var watch = Stopwatch.StartNew();
        var bound = timeout ?? DefaultTimeout;
        while (!condition())
        {
            if (watch.Elapsed >= bound)
            {
                Assert.Fail($"timed out after {bound.TotalSeconds:0.#} s waiting until {what()}");
            }

            await Task.Delay(2);
        }
    }
}
