using Microsoft.Extensions.Time.Testing;
using MjpgStreamer.Hosting;

namespace MjpgStreamer.Tests.Unit;

/// <summary>What starting used is given back once, a little after everything started, and never again.</summary>
public sealed class StartupMemoryTests
{
    [Fact]
    public void The_release_runs_once_after_the_wait_and_not_before()
    {
        var time = new FakeTimeProvider();
        var releases = 0;
        using var memory = new StartupMemory(time, () => releases++);

        time.Advance(StartupMemory.After * 3);
        Assert.Equal(0, releases); // not scheduled yet: nothing runs while starting

        memory.Schedule();
        time.Advance(StartupMemory.After - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, releases);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, releases);
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, releases);
    }

    [Fact]
    public void A_stop_before_the_wait_is_over_cancels_it()
    {
        var time = new FakeTimeProvider();
        var releases = 0;
        var memory = new StartupMemory(time, () => releases++);
        memory.Schedule();

        memory.Dispose();
        time.Advance(StartupMemory.After * 2);

        Assert.Equal(0, releases);
    }
}
