using System.Diagnostics.Tracing;

namespace MjpgStreamer.CaptureBench;

/// <summary>
/// Where allocations come from, for --trace-allocations: the runtime's GC AllocationTick events (one per ~100 KB
/// allocated, naming the type that crossed the mark), summed by type. The listener allocates itself, so a traced
/// run's byte counts are not the numbers to report; the type names are the evidence.
/// </summary>
internal sealed class AllocationTrace : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly Dictionary<string, (long Bytes, int Ticks)> _byType = [];
    private readonly Lock _gate = new();
    private volatile bool _enabled;

    public bool Enabled
    {
        get => _enabled;
        set => _enabled = value;
    }

    /// <summary>Sampled bytes per type, most first.</summary>
    public IReadOnlyList<(string Type, long Bytes, int Ticks)> Top(int count)
    {
        lock (_gate)
        {
            return [.. _byType.OrderByDescending(p => p.Value.Bytes).Take(count).Select(p => (p.Key, p.Value.Bytes, p.Value.Ticks))];
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_enabled || eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.PayloadNames is null)
        {
            return;
        }

        var type = "?";
        long bytes = 0;
        for (var i = 0; i < eventData.PayloadNames.Count; i++)
        {
            switch (eventData.PayloadNames[i])
            {
                case "TypeName":
                    type = eventData.Payload?[i] as string ?? "?";
                    break;
                case "AllocationAmount64":
                    bytes = Convert.ToInt64(eventData.Payload?[i], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "AllocationAmount" when bytes == 0:
                    bytes = Convert.ToInt64(eventData.Payload?[i], System.Globalization.CultureInfo.InvariantCulture);
                    break;
            }
        }

        lock (_gate)
        {
            var (sum, ticks) = _byType.GetValueOrDefault(type);
            _byType[type] = (sum + bytes, ticks + 1);
        }
    }
}
