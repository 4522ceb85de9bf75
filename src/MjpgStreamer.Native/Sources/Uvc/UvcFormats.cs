using MjpgStreamer.Core.Sources;
using MjpgStreamer.Native.V4l2;

namespace MjpgStreamer.Native.Sources.Uvc;

/// <summary>
/// input_uvc's formats and sizes for input.json, and the resolution switch of group 2 (an index into the
/// current format's sizes). A switch is a reopen: the camera thread ends the stream session, opens the
/// device at the size asked, and only then answers 0. A size asked while the camera is away is kept for its
/// return; the request still answers -1 if that does not happen within the command timeout. Runs on the
/// camera thread (or under the command queue's lock while none runs); <see cref="List"/> is read anywhere.
/// </summary>
internal sealed class UvcFormats
{
    private IReadOnlyList<VideoFormat> _list = [];
    private (int Width, int Height)? _wanted;
    private DeviceCommand? _waiting;

    /// <summary>The formats for input.json, as last read from the camera.</summary>
    public IReadOnlyList<VideoFormat> List => Volatile.Read(ref _list);

    /// <summary>A size was asked for that the open device does not have yet: the stream session must end.</summary>
    public bool SwitchPending => _wanted is not null;

    /// <summary>The size to open the camera at: the one last asked for, else the stream's.</summary>
    public (int Width, int Height) SizeToOpen((int Width, int Height) current) => _wanted ?? current;

    /// <summary>Group 2: the index of a size of the current format. Answers -1 at once for an index out of range.</summary>
    public void RequestSize(DeviceCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var current = List.FirstOrDefault(f => f.Current);
        var index = command.Request.Value;
        if (current is null || index < 0 || index >= current.Resolutions.Count)
        {
            command.Complete(-1);
            return;
        }

        // A newer size wins; the request that asked for the older one is told it did not happen.
        _waiting?.Complete(-1);
        _waiting = command;
        _wanted = current.Resolutions[index];
    }

    /// <summary>The device was opened at the size asked (or the driver's nearest): the waiting request gets 0.</summary>
    public void SizeApplied()
    {
        _wanted = null;
        _waiting?.Complete(0);
        _waiting = null;
    }

    /// <summary>Reads the camera's formats and sizes, marking the one in use.</summary>
    public void Read(V4l2Device device, uint current, V4l2PixFormat inUse)
    {
        ArgumentNullException.ThrowIfNull(device);
        var formats = new List<VideoFormat>();
        foreach (var format in device.EnumerateFormats())
        {
            var sizes = device.EnumerateFrameSizes(format.PixelFormat);
            var isCurrent = format.PixelFormat == current;
            int? currentIndex = null;
            if (isCurrent)
            {
                for (var i = 0; i < sizes.Count; i++)
                {
                    if (sizes[i].Width == inUse.Width && sizes[i].Height == inUse.Height)
                    {
                        currentIndex = i;
                    }
                }
            }

            formats.Add(new VideoFormat(format.Index, format.Description, format.Compressed, format.Emulated, isCurrent, sizes, currentIndex));
        }

        Volatile.Write(ref _list, formats);
    }
}
