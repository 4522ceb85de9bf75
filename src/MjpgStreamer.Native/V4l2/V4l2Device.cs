using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace MjpgStreamer.Native.V4l2;

/// <summary>
/// One V4L2 video capture device node, driven with mmap streaming I/O. Every failing call throws a
/// <see cref="V4l2Exception"/> carrying errno; interrupted calls (EINTR) are retried; the "Try" members return
/// false/null where the driver does not support a feature (ENOTTY, EINVAL).
/// </summary>
/// <remarks>
/// <para>Not thread-safe: one thread opens, configures, streams and disposes it. To stop a thread blocked in
/// <see cref="WaitForFrame"/>, make its cancel descriptor (an eventfd, say) readable; dispose only after that
/// thread has returned, because <see cref="GetBufferData"/> spans point into mappings that Dispose releases.</para>
/// <para>Struct buffers live on the stack and the per-frame calls (WaitForFrame, TryDequeue, GetBufferData,
/// Requeue) allocate nothing.</para>
/// </remarks>
internal sealed unsafe class V4l2Device : IDisposable
{
    private const int MaxEnumeration = 1024;

    private readonly V4l2FileHandle _handle;
    private readonly V4l2Abi _abi;
    private readonly V4l2Requests _requests;
    private readonly V4l2BufferLayout _bufferLayout;
    private readonly V4l2FormatLayout _formatLayout;
    private readonly V4l2ExtControlsLayout _extControlsLayout;
    private readonly V4l2EventLayout _eventLayout;

    // Streaming state. _mappings[i] == 0 once buffer i is unmapped (or was never mapped).
    private nint[] _mappings = [];
    private int[] _lengths = [];
    private bool[] _dequeued = [];
    private bool _buffersRequested;
    private bool _streamOn;

    // A buffer WaitForFrame had to dequeue to learn why poll reported an error; TryDequeue hands it out first.
    private V4l2DequeuedBuffer _pending;
    private bool _hasPending;

    private bool _disposed;

    private V4l2Device(V4l2FileHandle handle, string path, V4l2Abi abi)
    {
        _handle = handle;
        Path = path;
        _abi = abi;
        _requests = V4l2Requests.For(abi);
        _bufferLayout = V4l2BufferLayout.For(abi);
        _formatLayout = V4l2FormatLayout.For(abi);
        _extControlsLayout = V4l2ExtControlsLayout.For(abi);
        _eventLayout = V4l2EventLayout.For(abi);
    }

    public string Path { get; }

    /// <summary>The number of buffers the driver granted while streaming; 0 otherwise.</summary>
    public int BufferCount => _mappings.Length;

    /// <summary>
    /// Opens the node read-write, non-blocking and close-on-exec. Throws a V4l2Exception: Operation "open" with
    /// ENOENT/ENXIO/ENODEV (<see cref="V4l2Exception.IsDeviceGone"/>), EACCES, EBUSY, ...; or
    /// <see cref="V4l2Exception.IsLibraryLoadFailure"/> when MJPG_STREAMER_V4L2_LIB does not load.
    /// </summary>
    public static V4l2Device Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var abi = V4l2Abi.Current;
        V4l2Library.EnsureLoaded();

        int fd;
        int errno;
        do
        {
            fd = V4l2Native.Open(path, V4l2Native.ORdwr | V4l2Native.ONonBlock | V4l2Native.OCloExec, 0);
            errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
        while (fd < 0 && errno == V4l2Native.EIntr);

        if (fd < 0)
        {
            throw new V4l2Exception("open", errno, $"open {path} failed: {V4l2Exception.Describe(errno)}");
        }

        var handle = new V4l2FileHandle(fd);
        try
        {
            return new V4l2Device(handle, path, abi);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The control class of a control id (V4L2_CTRL_ID2CLASS): 0x00980000 for the user class.</summary>
    public static uint ControlClass(uint id) => id & Videodev2.CtrlClassMask;

    public V4l2CapabilityInfo QueryCapability()
    {
        Videodev2.Capability cap;
        Check(Ioctl(_requests.QueryCap, &cap), "VIDIOC_QUERYCAP");
        return new V4l2CapabilityInfo(
            ReadCString(cap.Driver, 16),
            ReadCString(cap.Card, 32),
            ReadCString(cap.BusInfo, 32),
            cap.Capabilities,
            cap.DeviceCaps);
    }

    /// <summary>The video capture formats (VIDIOC_ENUM_FMT until EINVAL).</summary>
    public IReadOnlyList<V4l2FormatInfo> EnumerateFormats()
    {
        var formats = new List<V4l2FormatInfo>();
        for (var index = 0; index < MaxEnumeration; index++)
        {
            var desc = new Videodev2.FmtDesc { Index = (uint)index, Type = Videodev2.BufTypeVideoCapture };
            var errno = Ioctl(_requests.EnumFmt, &desc);
            if (errno == V4l2Native.EInval)
            {
                break;
            }

            Check(errno, "VIDIOC_ENUM_FMT");
            formats.Add(new V4l2FormatInfo(
                index,
                desc.PixelFormat,
                ReadCString(desc.Description, 32),
                (desc.Flags & Videodev2.FmtFlagCompressed) != 0,
                (desc.Flags & Videodev2.FmtFlagEmulated) != 0));
        }

        return formats;
    }

    /// <summary>
    /// VIDIOC_ENUM_FRAMESIZES: every discrete size; for a stepwise or continuous range only its smallest and its
    /// largest size (the original lists no more either). Empty when the driver does not enumerate sizes.
    /// </summary>
    public IReadOnlyList<(int Width, int Height)> EnumerateFrameSizes(uint pixelFormat)
    {
        var sizes = new List<(int Width, int Height)>();
        for (var index = 0; index < MaxEnumeration; index++)
        {
            var size = new Videodev2.FrmSizeEnum { Index = (uint)index, PixelFormat = pixelFormat };
            var errno = Ioctl(_requests.EnumFrameSizes, &size);
            if (errno is V4l2Native.EInval or V4l2Native.ENotTy)
            {
                break;
            }

            Check(errno, "VIDIOC_ENUM_FRAMESIZES");
            if (size.Type == Videodev2.FrmSizeTypeDiscrete)
            {
                sizes.Add(((int)size.Width, (int)size.Height));
                continue;
            }

            sizes.Add(((int)size.MinWidth, (int)size.MinHeight));
            sizes.Add(((int)size.MaxWidth, (int)size.MaxHeight));
            break;
        }

        return sizes;
    }

    /// <summary>
    /// VIDIOC_ENUM_FRAMEINTERVALS as (numerator, denominator) seconds per frame: every discrete interval; for a
    /// stepwise or continuous range its minimum and maximum. Empty when the driver does not enumerate them.
    /// </summary>
    public IReadOnlyList<(int Numerator, int Denominator)> EnumerateFrameIntervals(uint pixelFormat, int width, int height)
    {
        var intervals = new List<(int Numerator, int Denominator)>();
        for (var index = 0; index < MaxEnumeration; index++)
        {
            var interval = new Videodev2.FrmIvalEnum
            {
                Index = (uint)index,
                PixelFormat = pixelFormat,
                Width = (uint)width,
                Height = (uint)height,
            };
            var errno = Ioctl(_requests.EnumFrameIntervals, &interval);
            if (errno is V4l2Native.EInval or V4l2Native.ENotTy)
            {
                break;
            }

            Check(errno, "VIDIOC_ENUM_FRAMEINTERVALS");
            if (interval.Type == Videodev2.FrmIvalTypeDiscrete)
            {
                intervals.Add(((int)interval.Numerator, (int)interval.Denominator));
                continue;
            }

            intervals.Add(((int)interval.MinNumerator, (int)interval.MinDenominator));
            intervals.Add(((int)interval.MaxNumerator, (int)interval.MaxDenominator));
            break;
        }

        return intervals;
    }

    public V4l2PixFormat GetFormat()
    {
        var format = stackalloc ulong[(_formatLayout.Size + 7) / 8];
        var bytes = (byte*)format;
        new Span<byte>(bytes, _formatLayout.Size).Clear();
        WriteU32(bytes, _formatLayout.Type, Videodev2.BufTypeVideoCapture);
        Check(Ioctl(_requests.GFmt, bytes), "VIDIOC_G_FMT");
        return ToPixFormat(Unsafe.ReadUnaligned<Videodev2.PixFormat>(bytes + _formatLayout.Fmt));
    }

    /// <summary>VIDIOC_S_FMT (field "any"); returns what the driver chose, which may differ from the request.</summary>
    public V4l2PixFormat SetFormat(int width, int height, uint pixelFormat)
    {
        var format = stackalloc ulong[(_formatLayout.Size + 7) / 8];
        var bytes = (byte*)format;
        new Span<byte>(bytes, _formatLayout.Size).Clear();
        WriteU32(bytes, _formatLayout.Type, Videodev2.BufTypeVideoCapture);
        var pix = new Videodev2.PixFormat { Width = (uint)width, Height = (uint)height, PixelFormat = pixelFormat };
        Unsafe.WriteUnaligned(bytes + _formatLayout.Fmt, pix);
        Check(Ioctl(_requests.SFmt, bytes), "VIDIOC_S_FMT");
        return ToPixFormat(Unsafe.ReadUnaligned<Videodev2.PixFormat>(bytes + _formatLayout.Fmt));
    }

    /// <summary>The capture frame interval (seconds per frame), or null when the driver does not support one (no V4L2_CAP_TIMEPERFRAME).</summary>
    public (int Numerator, int Denominator)? GetFrameInterval()
    {
        var parm = new Videodev2.StreamParm { Type = Videodev2.BufTypeVideoCapture };
        var errno = Ioctl(_requests.GParm, &parm);
        if (errno is V4l2Native.ENotTy or V4l2Native.EInval)
        {
            return null;
        }

        Check(errno, "VIDIOC_G_PARM");
        return ToInterval(parm);
    }

    /// <summary>VIDIOC_S_PARM; returns the interval the driver chose, or null when frame intervals are not supported.</summary>
    public (int Numerator, int Denominator)? SetFrameInterval(int numerator, int denominator)
    {
        var parm = new Videodev2.StreamParm
        {
            Type = Videodev2.BufTypeVideoCapture,
            TimePerFrameNumerator = (uint)numerator,
            TimePerFrameDenominator = (uint)denominator,
        };
        var errno = Ioctl(_requests.SParm, &parm);
        if (errno is V4l2Native.ENotTy or V4l2Native.EInval)
        {
            return null;
        }

        Check(errno, "VIDIOC_S_PARM");
        return ToInterval(parm);
    }

    /// <summary>
    /// Every enabled control, in driver order, including control class headers (Type 6). Uses
    /// V4L2_CTRL_FLAG_NEXT_CTRL; a driver that rejects it is probed for V4L2_CID_BASE..V4L2_CID_LASTP1-1 and then
    /// V4L2_CID_PRIVATE_BASE upwards until the first gap.
    /// </summary>
    public IReadOnlyList<V4l2ControlInfo> EnumerateControls()
    {
        var controls = new List<V4l2ControlInfo>();
        var query = new Videodev2.QueryCtrl { Id = Videodev2.CtrlFlagNextCtrl };
        var errno = Ioctl(_requests.QueryCtrl, &query);
        if (errno == 0)
        {
            while (controls.Count < MaxEnumeration)
            {
                AddControl(controls, query);
                var previous = query.Id;
                query = new Videodev2.QueryCtrl { Id = previous | Videodev2.CtrlFlagNextCtrl };
                errno = Ioctl(_requests.QueryCtrl, &query);
                if (errno == V4l2Native.EInval || (errno == 0 && query.Id <= previous))
                {
                    // EINVAL ends the list; an id that does not grow would loop forever.
                    break;
                }

                Check(errno, "VIDIOC_QUERYCTRL");
            }

            return controls;
        }

        if (errno == V4l2Native.ENotTy)
        {
            return controls;
        }

        if (errno != V4l2Native.EInval)
        {
            Check(errno, "VIDIOC_QUERYCTRL");
        }

        for (var id = Videodev2.CidBase; id < Videodev2.CidLastP1; id++)
        {
            if (TryQueryControl(id, out query))
            {
                AddControl(controls, query);
            }
        }

        for (var id = Videodev2.CidPrivateBase; controls.Count < MaxEnumeration && TryQueryControl(id, out query); id++)
        {
            AddControl(controls, query);
        }

        return controls;
    }

    /// <summary>A control's current value: VIDIOC_G_CTRL for user-class controls, VIDIOC_G_EXT_CTRLS for the others.</summary>
    public int GetControl(uint id)
    {
        if (ControlClass(id) == Videodev2.CtrlClassUser)
        {
            var control = new Videodev2.Control { Id = id };
            Check(Ioctl(_requests.GCtrl, &control), "VIDIOC_G_CTRL");
            return control.Value;
        }

        var ext = new Videodev2.ExtControl { Id = id };
        Check(ExtControlsIoctl(_requests.GExtCtrls, ControlClass(id), &ext), "VIDIOC_G_EXT_CTRLS");
        return ext.Value;
    }

    /// <summary>Sets a control: VIDIOC_S_CTRL for user-class controls, VIDIOC_S_EXT_CTRLS for the others.</summary>
    public void SetControl(uint id, int value)
    {
        if (ControlClass(id) == Videodev2.CtrlClassUser)
        {
            var control = new Videodev2.Control { Id = id, Value = value };
            Check(Ioctl(_requests.SCtrl, &control), "VIDIOC_S_CTRL");
            return;
        }

        var ext = new Videodev2.ExtControl { Id = id, Value = value };
        Check(ExtControlsIoctl(_requests.SExtCtrls, ControlClass(id), &ext), "VIDIOC_S_EXT_CTRLS");
    }

    /// <summary>The JPEG quality from VIDIOC_G_JPEGCOMP, or null when the driver does not support it.</summary>
    public int? GetJpegQuality()
    {
        Videodev2.JpegCompression jpeg;
        var errno = Ioctl(_requests.GJpegComp, &jpeg);
        if (errno is V4l2Native.ENotTy or V4l2Native.EInval)
        {
            return null;
        }

        Check(errno, "VIDIOC_G_JPEGCOMP");
        return jpeg.Quality;
    }

    /// <summary>Sets the JPEG quality (G_JPEGCOMP, then S_JPEGCOMP with the other fields kept); false when unsupported.</summary>
    public bool TrySetJpegQuality(int quality)
    {
        Videodev2.JpegCompression jpeg;
        var errno = Ioctl(_requests.GJpegComp, &jpeg);
        if (errno is V4l2Native.ENotTy or V4l2Native.EInval)
        {
            return false;
        }

        Check(errno, "VIDIOC_G_JPEGCOMP");
        jpeg.Quality = quality;
        errno = Ioctl(_requests.SJpegComp, &jpeg);
        if (errno is V4l2Native.ENotTy or V4l2Native.EInval)
        {
            return false;
        }

        Check(errno, "VIDIOC_S_JPEGCOMP");
        return true;
    }

    /// <summary>VIDIOC_S_STD with a v4l2_std_id mask (analog TV standards: PAL, NTSC, ...).</summary>
    public void SetStandard(ulong std)
    {
        Check(Ioctl(_requests.SStd, &std), "VIDIOC_S_STD");
    }

    /// <summary>
    /// Applies the timings the receiver detects (QUERY_DV_TIMINGS, then S_DV_TIMINGS), as HDMI capture needs before
    /// S_FMT. False when the device has no DV timings (ENOTTY, EINVAL, ENODATA); other failures, such as no signal
    /// (ENOLINK), unstable signal (ENOLCK) or out of range (ERANGE), throw so the caller can report them.
    /// </summary>
    public bool TryApplyDvTimings()
    {
        Videodev2.DvTimings timings;
        var errno = Ioctl(_requests.QueryDvTimings, &timings);
        if (errno is V4l2Native.ENotTy or V4l2Native.EInval or V4l2Native.ENoData)
        {
            return false;
        }

        Check(errno, "VIDIOC_QUERY_DV_TIMINGS");
        errno = Ioctl(_requests.SDvTimings, &timings);
        if (errno is V4l2Native.ENotTy or V4l2Native.EInval or V4l2Native.ENoData)
        {
            return false;
        }

        Check(errno, "VIDIOC_S_DV_TIMINGS");
        return true;
    }

    /// <summary>Subscribes to V4L2_EVENT_SOURCE_CHANGE (signal/resolution change); false when the driver has no such event.</summary>
    public bool TrySubscribeSourceChange()
    {
        var subscription = new Videodev2.EventSubscription { Type = Videodev2.EventSourceChange };
        var errno = Ioctl(_requests.SubscribeEvent, &subscription);
        if (errno is V4l2Native.ENotTy or V4l2Native.EInval)
        {
            return false;
        }

        Check(errno, "VIDIOC_SUBSCRIBE_EVENT");
        return true;
    }

    /// <summary>Dequeues every pending event (VIDIOC_DQEVENT until ENOENT); true when one of them was a source change.</summary>
    public bool TryDequeueSourceChange()
    {
        var storage = stackalloc ulong[(_eventLayout.Size + 7) / 8];
        var bytes = (byte*)storage;
        var sourceChanged = false;
        for (var i = 0; i < 64; i++)
        {
            new Span<byte>(bytes, _eventLayout.Size).Clear();
            var errno = Ioctl(_requests.DQEvent, bytes);
            if (errno is V4l2Native.ENoEnt or V4l2Native.ENotTy or V4l2Native.EInval)
            {
                break;
            }

            Check(errno, "VIDIOC_DQEVENT");
            sourceChanged |= ReadU32(bytes, _eventLayout.Type) == Videodev2.EventSourceChange;
        }

        return sourceChanged;
    }

    /// <summary>
    /// Requests <paramref name="bufferCount"/> mmap buffers (the driver may grant a different number; fewer than 2
    /// is an error), maps and queues each, and turns streaming on. On any failure everything done so far is undone
    /// before the exception propagates.
    /// </summary>
    public void StartStreaming(int bufferCount)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferCount, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bufferCount, 32);
        if (_buffersRequested)
        {
            throw new InvalidOperationException("the device is already streaming");
        }

        var request = new Videodev2.RequestBuffers
        {
            Count = (uint)bufferCount,
            Type = Videodev2.BufTypeVideoCapture,
            Memory = Videodev2.MemoryMmap,
        };
        Check(Ioctl(_requests.ReqBufs, &request), "VIDIOC_REQBUFS");
        _buffersRequested = true;
        try
        {
            if (request.Count < 2 || request.Count > 64)
            {
                throw new V4l2Exception(
                    "VIDIOC_REQBUFS",
                    0,
                    $"VIDIOC_REQBUFS granted {request.Count} buffers; 2 to 64 are usable");
            }

            var count = (int)request.Count;
            _mappings = new nint[count];
            _lengths = new int[count];
            _dequeued = new bool[count];

            var storage = stackalloc ulong[(_bufferLayout.Size + 7) / 8];
            var bytes = (byte*)storage;
            for (var i = 0; i < count; i++)
            {
                ClearBuffer(bytes, i);
                Check(Ioctl(_requests.QueryBuf, bytes), "VIDIOC_QUERYBUF");
                MapBuffer(i, ReadU32(bytes, _bufferLayout.Length), ReadU32(bytes, _bufferLayout.M));
            }

            for (var i = 0; i < count; i++)
            {
                ClearBuffer(bytes, i);
                Check(Ioctl(_requests.QBuf, bytes), "VIDIOC_QBUF");
            }

            var type = (int)Videodev2.BufTypeVideoCapture;
            Check(Ioctl(_requests.StreamOn, &type), "VIDIOC_STREAMON");
            _streamOn = true;
        }
        catch
        {
            StopStreamingCore(throwOnError: false);
            throw;
        }
    }

    /// <summary>
    /// Waits until a frame can be dequeued, <paramref name="cancelFd"/> (if not -1) becomes readable, an event is
    /// pending, or <paramref name="timeoutMs"/> passes (-1: no timeout). When poll reports an error on the device
    /// (POLLERR/POLLHUP, as on unplug or a failed queue), this asks DQBUF what is wrong: it throws DQBUF's error
    /// (ENODEV, EIO: <see cref="V4l2Exception.IsDeviceGone"/>), or, if DQBUF succeeds after all, keeps that buffer
    /// for the next TryDequeue and reports FrameReady; an error with nothing to dequeue throws EIO. POLLNVAL throws EBADF.
    /// </summary>
    /// <remarks>An interrupted poll is restarted with the full timeout, so a timeout can stretch under a storm of signals.</remarks>
    public V4l2WaitResult WaitForFrame(int timeoutMs, int cancelFd = -1)
    {
        if (_hasPending)
        {
            return V4l2WaitResult.FrameReady;
        }

        var fds = stackalloc V4l2Native.PollFd[2];
        var added = false;
        int rc;
        int errno;
        try
        {
            _handle.DangerousAddRef(ref added);
            fds[0] = new V4l2Native.PollFd { Fd = (int)_handle.DangerousGetHandle(), Events = V4l2Native.PollIn | V4l2Native.PollPri };
            fds[1] = new V4l2Native.PollFd { Fd = cancelFd, Events = V4l2Native.PollIn };
            var count = cancelFd >= 0 ? 2u : 1u;
            do
            {
                rc = V4l2Native.Poll(fds, count, timeoutMs);
                errno = rc < 0 ? Marshal.GetLastPInvokeError() : 0;
            }
            while (rc < 0 && errno == V4l2Native.EIntr);
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }

        Check(errno, "poll");
        if (rc == 0)
        {
            return V4l2WaitResult.Timeout;
        }

        if (cancelFd >= 0 && fds[1].ReturnedEvents != 0)
        {
            return V4l2WaitResult.Cancelled;
        }

        var events = fds[0].ReturnedEvents;
        if ((events & V4l2Native.PollNval) != 0)
        {
            throw new V4l2Exception("poll", V4l2Native.EBadF);
        }

        if ((events & (V4l2Native.PollErr | V4l2Native.PollHup)) != 0)
        {
            errno = Dequeue(out _pending);
            if (errno == 0)
            {
                _hasPending = true;
                return V4l2WaitResult.FrameReady;
            }

            if (errno == V4l2Native.EAgain)
            {
                throw new V4l2Exception(
                    "poll",
                    V4l2Native.EIo,
                    $"poll failed: the device reported an error (POLLERR) with no buffer to dequeue ({V4l2Exception.Describe(V4l2Native.EIo)})");
            }

            throw new V4l2Exception("VIDIOC_DQBUF", errno);
        }

        if ((events & V4l2Native.PollPri) != 0)
        {
            return V4l2WaitResult.Event;
        }

        return (events & V4l2Native.PollIn) != 0 ? V4l2WaitResult.FrameReady : V4l2WaitResult.Timeout;
    }

    /// <summary>
    /// VIDIOC_DQBUF: false when no buffer is ready (EAGAIN). The buffer stays the caller's until
    /// <see cref="Requeue"/>; buffers flagged <see cref="V4l2DequeuedBuffer.IsError"/> must be requeued too.
    /// </summary>
    public bool TryDequeue(out V4l2DequeuedBuffer buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_hasPending)
        {
            _hasPending = false;
            buffer = _pending;
            return true;
        }

        var errno = Dequeue(out buffer);
        if (errno == V4l2Native.EAgain)
        {
            return false;
        }

        Check(errno, "VIDIOC_DQBUF");
        return true;
    }

    /// <summary>
    /// The first <paramref name="bytesUsed"/> bytes of dequeued buffer <paramref name="index"/>, straight from the
    /// mapping: valid until the buffer is requeued or streaming stops.
    /// </summary>
    public ReadOnlySpan<byte> GetBufferData(int index, int bytesUsed)
    {
        CheckDequeued(index);
        ArgumentOutOfRangeException.ThrowIfNegative(bytesUsed);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytesUsed, _lengths[index]);
        return new ReadOnlySpan<byte>((void*)_mappings[index], bytesUsed);
    }

    /// <summary>Gives a dequeued buffer back to the driver (VIDIOC_QBUF).</summary>
    public void Requeue(int index)
    {
        CheckDequeued(index);
        var storage = stackalloc ulong[(_bufferLayout.Size + 7) / 8];
        var bytes = (byte*)storage;
        ClearBuffer(bytes, index);
        Check(Ioctl(_requests.QBuf, bytes), "VIDIOC_QBUF");
        _dequeued[index] = false;
    }

    /// <summary>
    /// STREAMOFF, unmap every buffer, REQBUFS 0, in that order (the driver frees buffers only once they are
    /// unmapped). Every step runs even if an earlier one fails; the first failure is thrown at the end. Doing
    /// nothing when not streaming, it can be called any number of times.
    /// </summary>
    public void StopStreaming()
    {
        if (!_disposed)
        {
            StopStreamingCore(throwOnError: true);
        }
    }

    /// <summary>Stops streaming, ignoring failures (a device that is gone fails every call), and closes the descriptor.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            StopStreamingCore(throwOnError: false);
        }
        finally
        {
            _handle.Dispose();
        }
    }

    private static string ReadCString(byte* text, int capacity)
    {
        var span = new ReadOnlySpan<byte>(text, capacity);
        var nul = span.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul >= 0 ? span[..nul] : span);
    }

    private static uint ReadU32(byte* bytes, int offset) => Unsafe.ReadUnaligned<uint>(bytes + offset);

    private static void WriteU32(byte* bytes, int offset, uint value) => Unsafe.WriteUnaligned(bytes + offset, value);

    private static V4l2PixFormat ToPixFormat(Videodev2.PixFormat pix) =>
        new((int)pix.Width, (int)pix.Height, pix.PixelFormat, (int)pix.BytesPerLine, (int)pix.SizeImage);

    private static (int Numerator, int Denominator)? ToInterval(Videodev2.StreamParm parm)
    {
        if ((parm.Capability & Videodev2.CapTimePerFrame) == 0 || parm.TimePerFrameDenominator == 0)
        {
            return null;
        }

        return ((int)parm.TimePerFrameNumerator, (int)parm.TimePerFrameDenominator);
    }

    private static void Check(int errno, string operation)
    {
        if (errno != 0)
        {
            throw new V4l2Exception(operation, errno);
        }
    }

    /// <summary>ioctl with EINTR retried; returns 0 or errno. Holds a reference on the handle so it cannot be closed meanwhile.</summary>
    private int Ioctl(uint request, void* argument)
    {
        var added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            var fd = (int)_handle.DangerousGetHandle();
            while (true)
            {
                if (V4l2Native.Ioctl(fd, request, argument) >= 0)
                {
                    return 0;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno != V4l2Native.EIntr)
                {
                    return errno;
                }
            }
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    private int ExtControlsIoctl(uint request, uint controlClass, Videodev2.ExtControl* control)
    {
        var storage = stackalloc ulong[(_extControlsLayout.Size + 7) / 8];
        var bytes = (byte*)storage;
        new Span<byte>(bytes, _extControlsLayout.Size).Clear();
        WriteU32(bytes, _extControlsLayout.Which, controlClass);
        WriteU32(bytes, _extControlsLayout.Count, 1);

        // The layout's pointer size is this process's (Open uses V4l2Abi.Current).
        Unsafe.WriteUnaligned(bytes + _extControlsLayout.Controls, (nint)control);
        return Ioctl(request, bytes);
    }

    private bool TryQueryControl(uint id, out Videodev2.QueryCtrl query)
    {
        query = new Videodev2.QueryCtrl { Id = id };
        fixed (Videodev2.QueryCtrl* q = &query)
        {
            var errno = Ioctl(_requests.QueryCtrl, q);
            if (errno == V4l2Native.EInval)
            {
                return false;
            }

            Check(errno, "VIDIOC_QUERYCTRL");
            return true;
        }
    }

    private void AddControl(List<V4l2ControlInfo> controls, Videodev2.QueryCtrl query)
    {
        if ((query.Flags & Videodev2.CtrlFlagDisabled) != 0)
        {
            return;
        }

        var menu = query.Type is Videodev2.CtrlTypeMenu or Videodev2.CtrlTypeIntegerMenu
            ? QueryMenu(query.Id, query.Type, query.Minimum, query.Maximum)
            : null;
        controls.Add(new V4l2ControlInfo(
            query.Id,
            ReadCString(query.Name, 32),
            query.Type,
            query.Minimum,
            query.Maximum,
            query.Step,
            query.DefaultValue,
            query.Flags,
            menu));
    }

    /// <summary>The menu items from minimum to maximum; indexes the driver rejects (EINVAL) are gaps, not errors.</summary>
    private Dictionary<int, string> QueryMenu(uint id, int type, int minimum, int maximum)
    {
        var items = new Dictionary<int, string>();
        for (long index = Math.Max(minimum, 0); index <= maximum && items.Count < MaxEnumeration; index++)
        {
            var item = new Videodev2.QueryMenu { Id = id, Index = (uint)index };
            var errno = Ioctl(_requests.QueryMenu, &item);
            if (errno == V4l2Native.EInval)
            {
                continue;
            }

            Check(errno, "VIDIOC_QUERYMENU");
            items[(int)index] = type == Videodev2.CtrlTypeIntegerMenu
                ? Unsafe.ReadUnaligned<long>(item.Name).ToString(CultureInfo.InvariantCulture)
                : ReadCString(item.Name, 32);
        }

        return items;
    }

    private void MapBuffer(int index, uint length, uint offset)
    {
        if (length == 0 || length > int.MaxValue)
        {
            throw new V4l2Exception("VIDIOC_QUERYBUF", 0, $"VIDIOC_QUERYBUF reported an unusable buffer length {length}");
        }

        if (IntPtr.Size == 4 && offset > int.MaxValue)
        {
            // mmap's off_t is a 32-bit long on armhf (see V4l2Native).
            throw new V4l2Exception("mmap", V4l2Native.EOverflow, $"mmap failed: buffer offset 0x{offset:x} does not fit a 32-bit off_t ({V4l2Exception.Describe(V4l2Native.EOverflow)})");
        }

        var added = false;
        nint address;
        int errno;
        try
        {
            _handle.DangerousAddRef(ref added);
            address = V4l2Native.Mmap(
                0,
                length,
                V4l2Native.ProtRead | V4l2Native.ProtWrite,
                V4l2Native.MapShared,
                (int)_handle.DangerousGetHandle(),
                (nint)offset);
            errno = address == V4l2Native.MapFailed ? Marshal.GetLastPInvokeError() : 0;
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }

        Check(errno, "mmap");
        _mappings[index] = address;
        _lengths[index] = (int)length;
    }

    /// <summary>Fills a v4l2_buffer for the MMAP capture queue with only the index set.</summary>
    private void ClearBuffer(byte* bytes, int index)
    {
        new Span<byte>(bytes, _bufferLayout.Size).Clear();
        WriteU32(bytes, _bufferLayout.Index, (uint)index);
        WriteU32(bytes, _bufferLayout.Type, Videodev2.BufTypeVideoCapture);
        WriteU32(bytes, _bufferLayout.Memory, Videodev2.MemoryMmap);
    }

    /// <summary>VIDIOC_DQBUF into <paramref name="buffer"/>; returns 0 or errno.</summary>
    private int Dequeue(out V4l2DequeuedBuffer buffer)
    {
        buffer = default;
        var storage = stackalloc ulong[(_bufferLayout.Size + 7) / 8];
        var bytes = (byte*)storage;
        ClearBuffer(bytes, 0);
        var errno = Ioctl(_requests.DQBuf, bytes);
        if (errno != 0)
        {
            return errno;
        }

        var index = ReadU32(bytes, _bufferLayout.Index);
        if (index >= (uint)_mappings.Length)
        {
            throw new V4l2Exception("VIDIOC_DQBUF", 0, $"VIDIOC_DQBUF returned buffer {index}, but only {_mappings.Length} exist");
        }

        long seconds;
        long microseconds;
        if (_abi.TimeSize == 8)
        {
            seconds = Unsafe.ReadUnaligned<long>(bytes + _bufferLayout.Timestamp);
            microseconds = Unsafe.ReadUnaligned<long>(bytes + _bufferLayout.TimestampUsec);
        }
        else
        {
            seconds = Unsafe.ReadUnaligned<int>(bytes + _bufferLayout.Timestamp);
            microseconds = Unsafe.ReadUnaligned<int>(bytes + _bufferLayout.TimestampUsec);
        }

        _dequeued[index] = true;
        buffer = new V4l2DequeuedBuffer(
            (int)index,
            (int)Math.Min(ReadU32(bytes, _bufferLayout.BytesUsed), (uint)_lengths[index]),
            ReadU32(bytes, _bufferLayout.Flags),
            ReadU32(bytes, _bufferLayout.Sequence),
            (seconds * 1_000_000) + microseconds);
        return 0;
    }

    private void CheckDequeued(int index)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _mappings.Length);
        if (!_dequeued[index])
        {
            throw new InvalidOperationException($"buffer {index} is queued to the driver, not dequeued");
        }
    }

    private void StopStreamingCore(bool throwOnError)
    {
        V4l2Exception? first = null;
        if (_streamOn)
        {
            _streamOn = false;
            var type = (int)Videodev2.BufTypeVideoCapture;
            var errno = Ioctl(_requests.StreamOff, &type);
            if (errno != 0)
            {
                first = new V4l2Exception("VIDIOC_STREAMOFF", errno);
            }
        }

        for (var i = 0; i < _mappings.Length; i++)
        {
            var address = _mappings[i];
            if (address == 0)
            {
                continue;
            }

            // Forgotten before the call: a failed munmap is not retried, so each mapping is released at most once.
            _mappings[i] = 0;
            if (V4l2Native.Munmap(address, (nuint)_lengths[i]) != 0)
            {
                first ??= new V4l2Exception("munmap", Marshal.GetLastPInvokeError());
            }
        }

        _mappings = [];
        _lengths = [];
        _dequeued = [];
        _hasPending = false;

        if (_buffersRequested)
        {
            _buffersRequested = false;
            var request = new Videodev2.RequestBuffers
            {
                Count = 0,
                Type = Videodev2.BufTypeVideoCapture,
                Memory = Videodev2.MemoryMmap,
            };
            var errno = Ioctl(_requests.ReqBufs, &request);
            if (errno != 0)
            {
                first ??= new V4l2Exception("VIDIOC_REQBUFS", errno);
            }
        }

        if (first is not null && throwOnError)
        {
            throw first;
        }
    }
}
