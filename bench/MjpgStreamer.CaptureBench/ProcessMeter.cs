using System.Diagnostics;

namespace MjpgStreamer.CaptureBench;

/// <summary>What the process has used up to one moment: wall clock, CPU time, bytes allocated, collections.</summary>
internal readonly record struct ProcessMeter(long Timestamp, TimeSpan Cpu, long AllocatedBytes, int Gen0, int Gen1, int Gen2)
{
    private static readonly Process Self = Process.GetCurrentProcess();

    public static ProcessMeter Now()
    {
        // Allocated bytes are read first, so whatever the CPU-time read allocates counts in the window that
        // starts here (once per window, not per frame) and never in the one that ends here.
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        Self.Refresh();
        return new ProcessMeter(Stopwatch.GetTimestamp(), Self.TotalProcessorTime, allocated, GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
    }

    /// <summary>
    /// Bytes one reading allocates itself (reading the CPU time does); a window's allocated bytes include one
    /// such reading, so a few hundred bytes over a whole window are the meter, not the code measured.
    /// </summary>
    public static long OwnAllocationBytes()
    {
        _ = Now();
        var first = Now();
        var second = Now();
        return second.AllocatedBytes - first.AllocatedBytes;
    }

    /// <summary>The difference from an earlier reading.</summary>
    public ProcessUse Since(ProcessMeter start) => new(
        Stopwatch.GetElapsedTime(start.Timestamp, Timestamp),
        Cpu - start.Cpu,
        AllocatedBytes - start.AllocatedBytes,
        Gen0 - start.Gen0,
        Gen1 - start.Gen1,
        Gen2 - start.Gen2);
}
