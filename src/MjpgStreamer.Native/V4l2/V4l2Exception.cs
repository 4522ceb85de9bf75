using System.Runtime.InteropServices;

namespace MjpgStreamer.Native.V4l2;

/// <summary>
/// A failed V4L2 call: which one (<see cref="Operation"/>, e.g. "VIDIOC_S_FMT", "open", "mmap") and the errno it
/// reported. The message is one line, e.g. "VIDIOC_DQBUF failed: No such device (ENODEV)", fit for a log.
/// </summary>
internal sealed class V4l2Exception : IOException
{
    public V4l2Exception(string operation, int errno)
        : this(operation, errno, $"{operation} failed: {Describe(errno)}")
    {
    }

    public V4l2Exception(string operation, int errno, string message)
        : base(message)
    {
        Operation = operation;
        Errno = errno;
    }

    /// <summary>The call that failed: a VIDIOC_* name, "open", "mmap", "munmap", "poll", or <see cref="V4l2Library.LoadOperation"/>.</summary>
    public string Operation { get; }

    /// <summary>errno from the call; 0 when the failure was not an errno (a driver granting too few buffers, a library that does not load).</summary>
    public int Errno { get; }

    /// <summary>
    /// The device is gone or unusable until it is opened again: ENODEV (unplugged: every call on an unregistered
    /// video node), ENXIO (open of a node whose device went away), EIO (videobuf2 marks the queue as failed, e.g. on
    /// a USB disconnect; DQBUF then keeps failing), and ENOENT from open (the node does not exist (yet)).
    /// </summary>
    public bool IsDeviceGone => Errno is V4l2Native.ENoDev or V4l2Native.ENxio or V4l2Native.EIo
        || (Errno == V4l2Native.ENoEnt && Operation == "open");

    /// <summary>EBUSY: another process streams from the device, or the call is not allowed while streaming.</summary>
    public bool IsBusy => Errno == V4l2Native.EBusy;

    /// <summary>MJPG_STREAMER_V4L2_LIB names a library that does not load: a configuration error, retrying will not help.</summary>
    public bool IsLibraryLoadFailure => Operation == V4l2Library.LoadOperation;

    /// <summary>"No such device (ENODEV)": the C library's text plus the symbolic name when it is one we know.</summary>
    public static string Describe(int errno)
    {
        var text = Marshal.GetPInvokeErrorMessage(errno);
        var name = errno switch
        {
            1 => "EPERM",
            2 => "ENOENT",
            4 => "EINTR",
            5 => "EIO",
            6 => "ENXIO",
            9 => "EBADF",
            11 => "EAGAIN",
            12 => "ENOMEM",
            13 => "EACCES",
            16 => "EBUSY",
            19 => "ENODEV",
            22 => "EINVAL",
            24 => "EMFILE",
            25 => "ENOTTY",
            28 => "ENOSPC",
            32 => "EPIPE",
            34 => "ERANGE",
            37 => "ENOLCK",
            61 => "ENODATA",
            62 => "ETIME",
            67 => "ENOLINK",
            75 => "EOVERFLOW",
            95 => "EOPNOTSUPP",
            110 => "ETIMEDOUT",
            _ => null,
        };
        return name is null ? $"{text} (errno {errno})" : $"{text} ({name})";
    }
}
