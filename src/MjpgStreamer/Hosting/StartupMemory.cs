using System.Runtime;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Diagnostics;
using MjpgStreamer.Native.Memory;

namespace MjpgStreamer.Hosting;

/// <summary>
/// Gives back what starting used and serving does not, once, <see cref="After"/> everything started: the executable's
/// pages only starting touched (<see cref="StartupPages"/>: about 7 of its 10 resident MiB) and a compacting full
/// collection (starting's garbage: the hosts' configuration and services, option parsing; about 2 MiB), see
/// <see cref="GiveBack"/>. Serving
/// allocates nothing per frame, so without this no collection would ever take that garbage.
/// </summary>
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
    /// The executable's read-only pages, a full compacting collection, then the pages again: reading smaps makes
    /// garbage, which the collection takes, and the collection walks the stacks through the unwind tables (about
    /// 1.5 MiB of the executable), which the second pass unmaps again. Returns the bytes unmapped and the managed heap
    /// before and after the collection. Also what <see cref="Http.CrowdMemory"/> does once a crowd has left.
    /// </summary>
    internal static (long PagesBytes, long HeapBefore, long HeapAfter) GiveBack()
    {
        var pages = StartupPages.Release();
        var before = GC.GetTotalMemory(false);
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var after = GC.GetTotalMemory(false);
        pages += StartupPages.Release();
        return (pages, before, after);
    }

    private static void ReleaseAll(ILogger logger)
    {
        var (pages, before, after) = GiveBack();
        LogReleased(logger, before / 1024, after / 1024, pages / 1024);
    }

    [LoggerMessage(EventId = LogEvents.StartupMemoryReleased, Level = LogLevel.Debug,
        Message = "after starting: managed heap {BeforeKiB} KiB -> {AfterKiB} KiB; {PagesKiB} KiB of the executable's pages unmapped")]
    private static partial void LogReleased(ILogger logger, long beforeKiB, long afterKiB, long pagesKiB);
}
