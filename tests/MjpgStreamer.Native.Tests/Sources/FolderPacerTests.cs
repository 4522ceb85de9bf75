using Microsoft.Extensions.Time.Testing;
using MjpgStreamer.Native.Sources.Folder;

namespace MjpgStreamer.Native.Tests.Sources;

/// <summary>input_file.so's -d schedule and its sleeps: frames keep their rate, and a stop ends any sleep.</summary>
public sealed class FolderPacerTests
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(5);

    [Fact]
    public void FramesAreDueAtFixedSteps_SoSlowReadsDoNotLowerTheRate()
    {
        var time = new FakeTimeProvider();
        using var pacer = new FolderPacer(time, TimeSpan.FromSeconds(1), CancellationToken.None);
        var second = time.TimestampFrequency;

        // Shown 0.3 s late: the next frame is still due one second after the previous due time.
        Assert.Equal(2 * second, pacer.NextDue(second, second + (3 * second / 10)));
    }

    [Fact]
    public void AfterAStallOfMoreThanOneFrame_TheScheduleRestartsInsteadOfBursting()
    {
        var time = new FakeTimeProvider();
        using var pacer = new FolderPacer(time, TimeSpan.FromSeconds(1), CancellationToken.None);
        var second = time.TimestampFrequency;

        Assert.Equal(6 * second, pacer.NextDue(second, 5 * second));
    }

    [Fact]
    public async Task ASleep_EndsWhenTheClockReachesTheDeadline()
    {
        var time = new FakeTimeProvider();
        using var pacer = new FolderPacer(time, TimeSpan.FromSeconds(1), CancellationToken.None);
        var deadline = pacer.Now + time.TimestampFrequency;

        var sleep = Task.Factory.StartNew(() => pacer.WaitUntil(deadline, null), TaskCreationOptions.LongRunning);
        await Task.Delay(100);
        Assert.False(sleep.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(1));
        await sleep.WaitAsync(Bounded);
    }

    [Fact]
    public async Task ASleepWithoutDeadline_EndsOnStop()
    {
        using var stop = new CancellationTokenSource();
        using var pacer = new FolderPacer(TimeProvider.System, TimeSpan.FromHours(1), stop.Token);

        var sleep = Task.Factory.StartNew(() => pacer.WaitUntil(long.MaxValue, null), TaskCreationOptions.LongRunning);
        await Task.Delay(100);
        Assert.False(sleep.IsCompleted);

        await stop.CancelAsync();
        await sleep.WaitAsync(Bounded);
        Assert.True(pacer.Cancelled);
    }
}
