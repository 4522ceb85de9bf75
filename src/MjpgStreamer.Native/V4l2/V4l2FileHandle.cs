using System.Runtime.InteropServices;

namespace MjpgStreamer.Native.V4l2;

/// <summary>A V4L2 device descriptor, closed exactly once through the same library that opened it.</summary>
internal sealed class V4l2FileHandle : SafeHandle
{
    public V4l2FileHandle(int fd)
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
        SetHandle(fd);
    }

    public override bool IsInvalid => handle == -1;

    // Never retried on EINTR: on Linux the descriptor is released even when close reports EINTR.
    protected override bool ReleaseHandle() => V4l2Native.Close((int)handle) == 0;
}
