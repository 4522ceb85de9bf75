using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>
/// A FakeTimeProvider that counts the timers created for each due time. A test waits until the code under
/// test has armed its timer before it advances the clock: advancing first would arm the timer a second late.
/// </summary>
public sealed class WatchedClock : FakeTimeProvider
{
    private readonly ConcurrentDictionary<TimeSpan, int> _created = new();

    public WatchedClock()
        : base(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero))
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _created.AddOrUpdate(dueTime, 1, static (_, count) => count + 1);
        return timer;
    }

    /// <summary>How many timers (CancellationTokenSource and Task.Delay ones included) were created with this due time.</summary>
    public int TimersCreated(TimeSpan dueTime) => _created.GetValueOrDefault(dueTime);
}
