namespace MjpgStreamer.Native.V4l2;

/// <summary>
/// One control from VIDIOC_QUERYCTRL. <see cref="Type"/> is enum v4l2_ctrl_type (1 integer, 2 boolean, 3 menu,
/// 4 button, 6 control class header, 9 integer menu, ...). <see cref="Menu"/> maps item index to its name (or, for
/// integer menus, the value as decimal text) for the two menu types, and is null otherwise.
/// </summary>
internal sealed record V4l2ControlInfo(
    uint Id,
    string Name,
    int Type,
    int Minimum,
    int Maximum,
    int Step,
    int Default,
    uint Flags,
    IReadOnlyDictionary<int, string>? Menu);
