using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MjpgStreamer.Native.V4l2;

namespace MjpgStreamer.Native.Tests.V4l2;

/// <summary>
/// Compares what the C# code computes with the values measured from linux/videodev2.h on each architecture we
/// ship (tests/native/v4l2-layout/*.txt, written by generate.sh): every line of every file must match.
/// </summary>
public sealed class V4l2LayoutTests
{
    private static readonly Dictionary<string, Type> InvariantStructs = new()
    {
        ["v4l2_capability"] = typeof(Videodev2.Capability),
        ["v4l2_fmtdesc"] = typeof(Videodev2.FmtDesc),
        ["v4l2_pix_format"] = typeof(Videodev2.PixFormat),
        ["v4l2_requestbuffers"] = typeof(Videodev2.RequestBuffers),
        ["v4l2_control"] = typeof(Videodev2.Control),
        ["v4l2_queryctrl"] = typeof(Videodev2.QueryCtrl),
        ["v4l2_querymenu"] = typeof(Videodev2.QueryMenu),
        ["v4l2_streamparm"] = typeof(Videodev2.StreamParm),
        ["v4l2_frmsizeenum"] = typeof(Videodev2.FrmSizeEnum),
        ["v4l2_frmivalenum"] = typeof(Videodev2.FrmIvalEnum),
        ["v4l2_ext_control"] = typeof(Videodev2.ExtControl),
        ["v4l2_jpegcompression"] = typeof(Videodev2.JpegCompression),
        ["v4l2_dv_timings"] = typeof(Videodev2.DvTimings),
        ["v4l2_event_subscription"] = typeof(Videodev2.EventSubscription),
    };

    private static readonly Dictionary<string, Func<V4l2Requests, uint>> Requests = new()
    {
        ["VIDIOC_QUERYCAP"] = r => r.QueryCap,
        ["VIDIOC_ENUM_FMT"] = r => r.EnumFmt,
        ["VIDIOC_G_FMT"] = r => r.GFmt,
        ["VIDIOC_S_FMT"] = r => r.SFmt,
        ["VIDIOC_TRY_FMT"] = r => r.TryFmt,
        ["VIDIOC_REQBUFS"] = r => r.ReqBufs,
        ["VIDIOC_QUERYBUF"] = r => r.QueryBuf,
        ["VIDIOC_QBUF"] = r => r.QBuf,
        ["VIDIOC_DQBUF"] = r => r.DQBuf,
        ["VIDIOC_STREAMON"] = r => r.StreamOn,
        ["VIDIOC_STREAMOFF"] = r => r.StreamOff,
        ["VIDIOC_G_PARM"] = r => r.GParm,
        ["VIDIOC_S_PARM"] = r => r.SParm,
        ["VIDIOC_G_CTRL"] = r => r.GCtrl,
        ["VIDIOC_S_CTRL"] = r => r.SCtrl,
        ["VIDIOC_QUERYCTRL"] = r => r.QueryCtrl,
        ["VIDIOC_QUERYMENU"] = r => r.QueryMenu,
        ["VIDIOC_G_EXT_CTRLS"] = r => r.GExtCtrls,
        ["VIDIOC_S_EXT_CTRLS"] = r => r.SExtCtrls,
        ["VIDIOC_ENUM_FRAMESIZES"] = r => r.EnumFrameSizes,
        ["VIDIOC_ENUM_FRAMEINTERVALS"] = r => r.EnumFrameIntervals,
        ["VIDIOC_G_JPEGCOMP"] = r => r.GJpegComp,
        ["VIDIOC_S_JPEGCOMP"] = r => r.SJpegComp,
        ["VIDIOC_S_STD"] = r => r.SStd,
        ["VIDIOC_QUERY_DV_TIMINGS"] = r => r.QueryDvTimings,
        ["VIDIOC_S_DV_TIMINGS"] = r => r.SDvTimings,
        ["VIDIOC_SUBSCRIBE_EVENT"] = r => r.SubscribeEvent,
        ["VIDIOC_DQEVENT"] = r => r.DQEvent,
    };

    private static readonly Dictionary<string, long> Constants = new()
    {
        ["V4L2_BUF_TYPE_VIDEO_CAPTURE"] = Videodev2.BufTypeVideoCapture,
        ["V4L2_MEMORY_MMAP"] = Videodev2.MemoryMmap,
        ["V4L2_CAP_VIDEO_CAPTURE"] = Videodev2.CapVideoCapture,
        ["V4L2_CAP_STREAMING"] = Videodev2.CapStreaming,
        ["V4L2_CAP_DEVICE_CAPS"] = Videodev2.CapDeviceCaps,
        ["V4L2_CAP_TIMEPERFRAME"] = Videodev2.CapTimePerFrame,
        ["V4L2_FMT_FLAG_COMPRESSED"] = Videodev2.FmtFlagCompressed,
        ["V4L2_FMT_FLAG_EMULATED"] = Videodev2.FmtFlagEmulated,
        ["V4L2_FRMSIZE_TYPE_DISCRETE"] = Videodev2.FrmSizeTypeDiscrete,
        ["V4L2_FRMIVAL_TYPE_DISCRETE"] = Videodev2.FrmIvalTypeDiscrete,
        ["V4L2_BUF_FLAG_ERROR"] = Videodev2.BufFlagError,
        ["V4L2_CTRL_FLAG_DISABLED"] = Videodev2.CtrlFlagDisabled,
        ["V4L2_CTRL_FLAG_NEXT_CTRL"] = Videodev2.CtrlFlagNextCtrl,
        ["V4L2_CTRL_FLAG_READ_ONLY"] = Videodev2.CtrlFlagReadOnly,
        ["V4L2_CTRL_FLAG_WRITE_ONLY"] = Videodev2.CtrlFlagWriteOnly,
        ["V4L2_CTRL_TYPE_INTEGER"] = Videodev2.CtrlTypeInteger,
        ["V4L2_CTRL_TYPE_BOOLEAN"] = Videodev2.CtrlTypeBoolean,
        ["V4L2_CTRL_TYPE_MENU"] = Videodev2.CtrlTypeMenu,
        ["V4L2_CTRL_TYPE_BUTTON"] = Videodev2.CtrlTypeButton,
        ["V4L2_CTRL_TYPE_CTRL_CLASS"] = Videodev2.CtrlTypeCtrlClass,
        ["V4L2_CTRL_TYPE_BITMASK"] = Videodev2.CtrlTypeBitmask,
        ["V4L2_CTRL_TYPE_INTEGER_MENU"] = Videodev2.CtrlTypeIntegerMenu,
        ["V4L2_CTRL_CLASS_USER"] = Videodev2.CtrlClassUser,
        ["V4L2_CID_BASE"] = Videodev2.CidBase,
        ["V4L2_CID_LASTP1"] = Videodev2.CidLastP1,
        ["V4L2_CID_PRIVATE_BASE"] = Videodev2.CidPrivateBase,
        ["V4L2_EVENT_SOURCE_CHANGE"] = Videodev2.EventSourceChange,
        ["O_RDWR"] = V4l2Native.ORdwr,
        ["O_NONBLOCK"] = V4l2Native.ONonBlock,
        ["O_CLOEXEC"] = V4l2Native.OCloExec,
        ["PROT_READ"] = V4l2Native.ProtRead,
        ["PROT_WRITE"] = V4l2Native.ProtWrite,
        ["MAP_SHARED"] = V4l2Native.MapShared,
        ["POLLIN"] = V4l2Native.PollIn,
        ["POLLPRI"] = V4l2Native.PollPri,
        ["POLLERR"] = V4l2Native.PollErr,
        ["POLLHUP"] = V4l2Native.PollHup,
        ["POLLNVAL"] = V4l2Native.PollNval,
        ["EINTR"] = V4l2Native.EIntr,
        ["EAGAIN"] = V4l2Native.EAgain,
        ["ENOENT"] = V4l2Native.ENoEnt,
        ["EIO"] = V4l2Native.EIo,
        ["ENXIO"] = V4l2Native.ENxio,
        ["ENODEV"] = V4l2Native.ENoDev,
        ["EBUSY"] = V4l2Native.EBusy,
        ["EINVAL"] = V4l2Native.EInval,
        ["ENOTTY"] = V4l2Native.ENotTy,
        ["ENODATA"] = V4l2Native.ENoData,
        ["EOVERFLOW"] = V4l2Native.EOverflow,
        ["ENOMEM"] = V4l2Native.ENoMem,
    };

    public static TheoryData<string, int, int> Architectures => new()
    {
        { "x86_64", 8, 8 },
        { "aarch64", 8, 8 },
        { "armhf", 4, 4 },
        { "armhf-t64", 4, 8 },
    };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void EveryMeasuredValue_MatchesWhatTheAbiComputes(string architecture, int pointerSize, int timeSize)
    {
        var abi = new V4l2Abi(pointerSize, timeSize);
        var lines = ReadMeasurements(architecture);
        Assert.True(lines.Count > 150, $"{architecture}.txt has only {lines.Count} entries");

        var mismatches = new List<string>();
        foreach (var (name, expected) in lines)
        {
            var actual = Compute(abi, name);
            if (actual != expected)
            {
                mismatches.Add($"{name}: measured {expected}, computed {actual?.ToString(CultureInfo.InvariantCulture) ?? "nothing"}");
            }
        }

        Assert.Empty(mismatches);
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void EveryRequestAndConstantTheCodeUses_IsMeasured(string architecture, int pointerSize, int timeSize)
    {
        _ = pointerSize;
        _ = timeSize;
        var names = ReadMeasurements(architecture).Select(line => line.Name).ToHashSet();
        Assert.All(Requests.Keys, name => Assert.Contains(name, names));
        Assert.All(Constants.Keys, name => Assert.Contains("const." + name, names));
        Assert.All(InvariantStructs.Keys, name => Assert.Contains("sizeof." + name, names));
    }

    [Fact]
    public void KnownFigures_FromTheMeasurementNotes()
    {
        // Measured once under qemu on each architecture: a second, independent source for the headline numbers.
        Assert.Equal(88, V4l2BufferLayout.For(new V4l2Abi(8, 8)).Size);
        Assert.Equal(68, V4l2BufferLayout.For(new V4l2Abi(4, 4)).Size);
        Assert.Equal(80, V4l2BufferLayout.For(new V4l2Abi(4, 8)).Size);
        Assert.Equal(0xc058560fu, V4l2Requests.For(new V4l2Abi(8, 8)).QBuf);
        Assert.Equal(0xc044560fu, V4l2Requests.For(new V4l2Abi(4, 4)).QBuf);
        Assert.Equal(0xc050560fu, V4l2Requests.For(new V4l2Abi(4, 8)).QBuf);
        Assert.Equal(0xc0d05605u, V4l2Requests.For(new V4l2Abi(8, 8)).SFmt);
        Assert.Equal(0xc0cc5605u, V4l2Requests.For(new V4l2Abi(4, 8)).SFmt);
    }

    [Fact]
    public void CurrentAbi_MatchesThisMachinesMeasurements()
    {
        var (architecture, expected) = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => ("x86_64", new V4l2Abi(8, 8)),
            Architecture.Arm64 => ("aarch64", new V4l2Abi(8, 8)),

            // On 32-bit the time_t size is chosen from the system (V4l2AbiChoiceTests); the measurements must match it.
            Architecture.Arm when V4l2Abi.Current.TimeSize == 8 => ("armhf-t64", new V4l2Abi(4, 8)),
            Architecture.Arm => ("armhf", new V4l2Abi(4, 4)),
            var other => throw new PlatformNotSupportedException($"no V4L2 measurements for {other}"),
        };

        Assert.Equal(expected, V4l2Abi.Current);
        Assert.All(ReadMeasurements(architecture), line => Assert.Equal(line.Value, Compute(V4l2Abi.Current, line.Name)));
    }

    [Theory]
    [InlineData(8, 4)]
    [InlineData(2, 4)]
    [InlineData(4, 16)]
    public void Layouts_RejectAbisNoLinuxHas(int pointerSize, int timeSize)
    {
        Assert.Throws<ArgumentException>(() => V4l2BufferLayout.For(new V4l2Abi(pointerSize, timeSize)));
    }

    [Fact]
    public void Ioc_RejectsSizesBeyondFourteenBits()
    {
        Assert.Equal(0x40045612u, V4l2Ioctl.Iow('V', 18, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => V4l2Ioctl.Iowr('V', 1, 1 << 14));
    }

    private static List<(string Name, long Value)> ReadMeasurements(string architecture)
    {
        var path = Path.Join(AppContext.BaseDirectory, "v4l2-layout", architecture + ".txt");
        return File.ReadLines(path)
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line =>
            {
                var parts = line.Split(' ');
                var value = parts[1].StartsWith("0x", StringComparison.Ordinal)
                    ? long.Parse(parts[1].AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
                    : long.Parse(parts[1], CultureInfo.InvariantCulture);
                return (parts[0], value);
            })
            .ToList();
    }

    /// <summary>The C# value for a measurement name; null when the code has nothing by that name.</summary>
    private static long? Compute(V4l2Abi abi, string name)
    {
        if (name.StartsWith("const.", StringComparison.Ordinal))
        {
            return Constants.TryGetValue(name["const.".Length..], out var constant) ? (uint)constant : null;
        }

        if (Requests.TryGetValue(name, out var request))
        {
            return request(V4l2Requests.For(abi));
        }

        var sizeOf = name.StartsWith("sizeof.", StringComparison.Ordinal);
        var structName = sizeOf ? name["sizeof.".Length..] : name[..name.IndexOf('.', StringComparison.Ordinal)];
        var member = sizeOf ? "Size" : ToPascalCase(name[(structName.Length + 1)..]);

        object? layout = structName switch
        {
            "v4l2_buffer" => V4l2BufferLayout.For(abi),
            "v4l2_format" => V4l2FormatLayout.For(abi),
            "v4l2_ext_controls" => V4l2ExtControlsLayout.For(abi),
            "v4l2_event" => V4l2EventLayout.For(abi),
            _ => null,
        };
        if (layout is not null)
        {
            return (int?)layout.GetType().GetProperty(member)?.GetValue(layout);
        }

        if (!InvariantStructs.TryGetValue(structName, out var type))
        {
            return null;
        }

        if (sizeOf)
        {
            var size = Marshal.SizeOf(type);
            var unsafeSize = (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(type).Invoke(null, null)!;
            return size == unsafeSize ? size : -1;
        }

        return type.GetField(member) is null ? null : Marshal.OffsetOf(type, member).ToInt64();
    }

    private static string ToPascalCase(string snake) =>
        string.Concat(snake.Split('_').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));
}
