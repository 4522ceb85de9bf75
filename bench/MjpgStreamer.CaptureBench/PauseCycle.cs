using System.Diagnostics;

namespace MjpgStreamer.CaptureBench;

/// <summary>
/// One measured cycle, as Stopwatch timestamps: the lock file created, the device seen closed, the lock file
/// removed, the first frame newer than any before the pause received.
/// </summary>
internal readonly record struct PauseCycle(long LockCreated, long Released, long LockRemoved, long FirstLive)
{
    public double ReleaseMs => Stopwatch.GetElapsedTime(LockCreated, Released).TotalMilliseconds;

    public double FirstLiveMs => Stopwatch.GetElapsedTime(LockRemoved, FirstLive).TotalMilliseconds;
}
