using System.Runtime;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Diagnostics;

namespace MjpgStreamer.Hosting;

/// <summary>
/// Gives back what starting used and serving does not, once, <see cref="After"/> everything started: a compacting full
/// collection (starting's garbage: the hosts' configuration and services, option parsing; about 2 MiB), see
/// <see cref="GiveBack"/>. Serving allocates nothing per frame, so without this no collection would ever take that
/// garbage.
/// </summary>
/// <remarks>
/// Unmapping the executable's read-only pages that only starting touched (madvise MADV_DONTNEED) was tried and is not
/// done: it lowered RSS by ~7 MiB, but those are clean file pages that stay in the page cache (and in the service's
/// cgroup), so the machine gained nothing real; RSS would only have looked smaller.
/// </remarks>
internal sealed partial class StartupMemory : IDisposable
{
    /// <summary>Long enough for the inputs' first frames (the code serving runs is then mapped again as it runs).</summary>
    public static readonly TimeSpan After = TimeSpan.FromSeconds(2);

    private readonly TimeProvider _time;
    private readonly Action _release;
    private ITimer? _timer;

    public StartupMemory(TimeProvider time, ILogger logger)
        : this(time, () => ReleaseAll(logger))
    {
    }

    internal StartupMemory(TimeProvider time, Action release)
    {
        _time = time;
        _release = release;
    }

    /// <summary>Starts the wait; called once everything started.</summary>
    public void Schedule() =>
        _timer = _time.CreateTimer(static s => ((StartupMemory)s!)._release(), this, After, Timeout.InfiniteTimeSpan);

    public void Dispose() => _timer?.Dispose();

    /// <summary>
    /// A full, aggressive, compacting collection (the large object heap included): returns the managed heap before
    /// and after. Also what <see cref="Http.CrowdMemory"/> does once a crowd has left.
    /// </summary>
    internal static (long HeapBefore, long HeapAfter) GiveBack()
    {
        var before = GC.GetTotalMemory(false);
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var after = GC.GetTotalMemory(false);
        return (before, after);
    }

    private static void ReleaseAll(ILogger logger)
    {
        var (before, after) = GiveBack();
        LogReleased(logger, before / 1024, after / 1024);
    }

    [LoggerMessage(EventId = LogEvents.StartupMemoryReleased, Level = LogLevel.Debug,
        Message = "after starting: managed heap {BeforeKiB} KiB -> {AfterKiB} KiB")]
    private static partial void LogReleased(ILogger logger, long beforeKiB, long afterKiB);
}
