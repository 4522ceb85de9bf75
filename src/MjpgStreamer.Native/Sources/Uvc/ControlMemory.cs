namespace MjpgStreamer.Native.Sources.Uvc;

/// <summary>
/// Every control value set since start (command line first, then HTTP), in the order it was last set, so
/// a camera that comes back after an unplug, a timeout or a pause gets all of them again: a replugged
/// webcam has forgotten its settings. Commands write it on the camera thread (or on their request while no
/// camera thread runs), the camera thread replays it; the lock keeps a snapshot whole either way.
/// </summary>
internal sealed class ControlMemory
{
    private readonly Lock _gate = new();
    private readonly List<CameraSetting> _writes = [];

    public ControlMemory(IEnumerable<CameraSetting> initial)
    {
        foreach (var setting in initial)
        {
            Remember(setting);
        }
    }

    /// <summary>The JPEG quality set over HTTP (group 3), replayed too; null until set.</summary>
    public int? JpegQuality { get; set; }

    public void Remember(CameraSetting setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        lock (_gate)
        {
            // The latest write of a control replaces the earlier one and moves to the end, so an auto mode
            // switched off after a value was set is replayed in that order.
            _writes.RemoveAll(w => w.Id == setting.Id);
            _writes.Add(setting);
        }
    }

    public CameraSetting[] Snapshot()
    {
        lock (_gate)
        {
            return [.. _writes];
        }
    }
}
