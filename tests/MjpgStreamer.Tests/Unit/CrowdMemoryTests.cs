using Microsoft.Extensions.Time.Testing;
using MjpgStreamer.Http;

namespace MjpgStreamer.Tests.Unit;

/// <summary>The collection after a crowd of stream clients left: once, after the quiet time, and never for a few clients.</summary>
public sealed class CrowdMemoryTests
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    [Fact]
    public void One_collection_runs_once_a_crowd_has_been_gone_for_the_quiet_time()
    {
        var time = new FakeTimeProvider();
        var collections = 0;
        var crowd = new CrowdMemory(time, () => collections++);
        crowd.Tick(1000);
        time.Advance(OneSecond);
        crowd.Tick(200); // a quarter of the peak is not yet "gone"
        for (var second = 0; second < 30; second++)
        {
            time.Advance(OneSecond);
            crowd.Tick(251);
        }

        Assert.Equal(0, collections);

        var quietTicks = 0;
        while (collections == 0 && quietTicks < 100)
        {
            crowd.Tick(3);
            time.Advance(OneSecond);
            quietTicks++;
        }

        Assert.Equal(1, collections);
        Assert.InRange(quietTicks, (int)CrowdMemory.Quiet.TotalSeconds, (int)CrowdMemory.Quiet.TotalSeconds + 2);

        // Then one a minute while the pool lets go of its blocks, 10 more at most; none after without a new crowd.
        for (var second = 0; second < 50; second++)
        {
            time.Advance(OneSecond);
            crowd.Tick(3);
        }

        Assert.Equal(1, collections);
        for (var second = 0; second < 3600; second++)
        {
            time.Advance(OneSecond);
            crowd.Tick(3);
        }

        Assert.Equal(1 + CrowdMemory.FollowUps, collections);
    }

    [Fact]
    public void A_new_crowd_stops_the_follow_ups_and_its_departure_starts_them_again()
    {
        var time = new FakeTimeProvider();
        var collections = 0;
        var crowd = new CrowdMemory(time, () => collections++);
        crowd.Tick(500);
        for (var second = 0; second < 20; second++)
        {
            time.Advance(OneSecond);
            crowd.Tick(0);
        }

        Assert.Equal(1, collections);
        for (var second = 0; second < 300; second++)
        {
            time.Advance(OneSecond);
            crowd.Tick(400);
        }

        Assert.Equal(1, collections);
        for (var second = 0; second < 20; second++)
        {
            time.Advance(OneSecond);
            crowd.Tick(0);
        }

        Assert.Equal(2, collections);
    }

    [Fact]
    public void A_few_clients_coming_and_going_never_cause_a_collection()
    {
        var time = new FakeTimeProvider();
        var collections = 0;
        var crowd = new CrowdMemory(time, () => collections++);
        for (var second = 0; second < 300; second++)
        {
            crowd.Tick(second % 60 < 30 ? CrowdMemory.CrowdSize - 1 : 0);
            time.Advance(OneSecond);
        }

        Assert.Equal(0, collections);
    }
}
