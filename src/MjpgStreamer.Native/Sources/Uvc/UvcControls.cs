using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.V4l2;

namespace MjpgStreamer.Native.Sources.Uvc;

/// <summary>
/// input_uvc's camera settings: the control list that input.json shows (with the driver's current
/// values), the commands of groups 1 (a V4L2 control) and 3 (JPEG quality), and the
/// <see cref="ControlMemory"/> that is applied again on every open, since a replugged webcam has forgotten
/// its settings. Everything here runs on the camera thread, or, while no camera thread runs, under the
/// command queue's lock; only <see cref="List"/> is read from other threads.
/// </summary>
internal sealed class UvcControls
{
    private readonly UvcOptions _options;
    private readonly ControlMemory _memory;
    private readonly HashSet<(uint Id, int Value)> _reportedSettings = [];
    private IReadOnlyList<V4l2ControlInfo> _driverControls = [];
    private IReadOnlyList<Control> _list = [];
    private int? _driverQuality;

    public UvcControls(UvcOptions options)
    {
        _options = options;
        _memory = new ControlMemory(options.Settings);
    }

    /// <summary>The controls for input.json, as last read from the camera.</summary>
    public IReadOnlyList<Control> List => Volatile.Read(ref _list);

    /// <summary>The encoder of a raw camera while one runs: its quality is the JPEG quality control then.</summary>
    public RawFrameEncoderPool? Encoder { get; set; }

    /// <summary>Right after an open: learns the camera's controls, applies every remembered setting, lists the values.</summary>
    public void Open(V4l2Device device, SourceContext context)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            _driverControls = [.. device.EnumerateControls()];
        }
        catch (V4l2Exception ex) when (!ex.IsDeviceGone)
        {
            UvcLog.SettingFailed(context.Logger, context.InputId, "controls", ex.Message);
            _driverControls = [];
        }

        _driverQuality = device.GetJpegQuality();
        ApplyRemembered(device, context);
        Publish(device);
    }

    /// <summary>Sets every control value given since start (command line first, then HTTP) on a freshly opened device.</summary>
    public void ApplyRemembered(V4l2Device device, SourceContext context)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(context);
        foreach (var setting in _memory.Snapshot())
        {
            try
            {
                device.SetControl(setting.Id, setting.Value);
            }
            catch (V4l2Exception ex) when (!ex.IsDeviceGone)
            {
                if (setting.Fallback is { } fallback)
                {
                    try
                    {
                        device.SetControl(setting.Id, fallback);
                        continue;
                    }
                    catch (V4l2Exception again) when (!again.IsDeviceGone)
                    {
                        ex = again;
                    }
                }

                // Said once per control: every reopen (unplug, pause, still) applies the settings again.
                if (_reportedSettings.Add((setting.Id, setting.Value)))
                {
                    var known = _driverControls.FirstOrDefault(c => c.Id == setting.Id);
                    var what = known is null ? $"the camera has no control 0x{setting.Id:x8}" : $"{known.Name} = {setting.Value}: {ex.Message}";
                    UvcLog.SettingFailed(context.Logger, context.InputId, setting.Option == "command" ? "a command" : "-" + setting.Option, what);
                }
            }
        }

        if (_memory.JpegQuality is { } quality)
        {
            ApplyJpegQuality(device, quality);
        }
    }

    /// <summary>
    /// Group 1: checks the value against the camera's range and sets it (null <paramref name="device"/>: the
    /// camera is away; the value is remembered for its return). 0 when done or remembered, -1 when refused.
    /// </summary>
    public int Set(CommandRequest command, V4l2Device? device, SourceContext? context)
    {
        ArgumentNullException.ThrowIfNull(command);
        var id = unchecked((uint)command.Id);
        var info = _driverControls.LastOrDefault(c => c.Id == id);
        if (info is null || !HasValue(info) || (info.Flags & Videodev2.CtrlFlagReadOnly) != 0)
        {
            Refused(context, command, "the camera has no such settable control");
            return -1;
        }

        if (command.Value < info.Minimum || command.Value > info.Maximum)
        {
            Refused(context, command, $"{command.Value} is outside {info.Minimum}..{info.Maximum}");
            return -1;
        }

        var setting = new CameraSetting("command", id, command.Value);
        if (device is null)
        {
            _memory.Remember(setting);
            if (context is not null)
            {
                UvcLog.ControlSet(context.Logger, context.InputId, command.Id, command.Value, " when the camera is back");
            }

            return 0;
        }

        try
        {
            device.SetControl(id, command.Value);
        }
        catch (V4l2Exception ex)
        {
            Refused(context, command, ex.Message);
            return -1;
        }

        _memory.Remember(setting);
        if (context is not null)
        {
            UvcLog.ControlSet(context.Logger, context.InputId, command.Id, command.Value, "");
        }

        // A mode switch changes other controls' flags (auto exposure off: the exposure time becomes active), which
        // input.json shows and the built-in page follows: the list is learned again, as at open.
        try
        {
            _driverControls = [.. device.EnumerateControls()];
        }
        catch (V4l2Exception)
        {
            // The flags stay as learned at open (a camera that is gone is noticed by the capture loop).
        }

        Publish(device);
        return 0;
    }

    /// <summary>Group 3: the camera's JPEG quality, or our encoder's for a raw camera; remembered for the next open.</summary>
    public int SetJpegQuality(int quality, V4l2Device? device)
    {
        if (quality is < 0 or > 100)
        {
            return -1;
        }

        _memory.JpegQuality = quality;
        if (device is not null)
        {
            ApplyJpegQuality(device, quality);
            Publish(device);
        }

        return 0;
    }

    private void ApplyJpegQuality(V4l2Device device, int quality)
    {
        if (device.TrySetJpegQuality(quality))
        {
            _driverQuality = device.GetJpegQuality() ?? quality;
        }
        else if (Encoder is { } encoder)
        {
            // A raw camera has no JPEG quality of its own: the setting is our encoder's.
            encoder.Quality = Math.Max(1, quality);
        }
    }

    /// <summary>Rebuilds the input.json list with the driver's current values.</summary>
    private void Publish(V4l2Device device)
    {
        var controls = new List<Control>(_driverControls.Count + 1);
        foreach (var info in _driverControls)
        {
            long value = 0;
            if (HasValue(info))
            {
                try
                {
                    value = device.GetControl(info.Id);
                }
                catch (V4l2Exception ex) when (!ex.IsDeviceGone)
                {
                    value = info.Default;
                }
            }

            controls.Add(new Control(info.Name, (int)info.Id, info.Type, info.Minimum, info.Maximum, info.Step, info.Default, value, (int)info.Flags, CommandGroups.V4l2, info.Menu));
        }

        var quality = _driverQuality ?? (_options.Raw is not null ? Encoder?.Quality ?? _options.Quality : 50);
        controls.Add(new Control("JPEG quality", 1, Videodev2.CtrlTypeInteger, 0, 100, 1, 50, quality, 0, CommandGroups.JpegQuality));
        Volatile.Write(ref _list, controls);
    }

    private static bool HasValue(V4l2ControlInfo info) =>
        info.Type is Videodev2.CtrlTypeInteger or Videodev2.CtrlTypeBoolean or Videodev2.CtrlTypeMenu or Videodev2.CtrlTypeIntegerMenu or Videodev2.CtrlTypeBitmask
        && (info.Flags & Videodev2.CtrlFlagWriteOnly) == 0;

    private static void Refused(SourceContext? context, CommandRequest command, string reason)
    {
        if (context is not null)
        {
            UvcLog.CommandRefused(context.Logger, context.InputId, command.Id, reason);
        }
    }
}
