using System.Globalization;

namespace MjpgStreamer.Native.V4l2;

/// <summary>
/// What the V4L2 struct layouts depend on: the size of a pointer (and of C long, equal on Linux) and of time_t.
/// x86_64 and arm64 are (8, 8); armhf is (4, 4); armhf built with 64-bit time_t (Debian trixie "t64") is (4, 8).
/// Every other difference (v4l2_buffer 88/68/80 bytes, v4l2_format 208/204, ...) follows from these two numbers
/// and natural alignment, see <see cref="V4l2BufferLayout"/> and friends.
/// </summary>
/// <remarks>
/// <para>On 32-bit ARM the time_t size is not something .NET can see: the runtime itself is built with glibc's 32-bit
/// time_t today. The kernel (5.6 and later) accepts both v4l2_buffer/v4l2_event layouts, telling them apart by the
/// size encoded in the ioctl number, so either works with the kernel itself; what must match is a V4L2 library or
/// shim in between (an LD_PRELOADed libv4l2 or libcamera's v4l2-compat, a fake camera), which is built for the
/// system's time_t. <see cref="Choose"/> decides, in this order: a 64-bit process has (8, 8); on 32-bit,
/// MJPG_STREAMER_TIME_BITS=32 or 64 wins (for tests and experts); a kernel older than 5.6 (which has only the
/// time32 ioctls) gets time32; otherwise the system's own programs decide (<see cref="UserlandTimeBits"/>: time64 when
/// they import glibc's time64 functions); when none can be read, time32, which works with every kernel.</para>
/// </remarks>
internal readonly record struct V4l2Abi(int PointerSize, int TimeSize)
{
    public const string TimeBitsVariable = "MJPG_STREAMER_TIME_BITS";

    /// <summary>Where the running kernel's release is ("6.6.51+rpt-rpi-v7").</summary>
    public const string KernelReleasePath = "/proc/sys/kernel/osrelease";

    /// <summary>The first kernel with the time64 V4L2 ioctls (VIDIOC_QBUF with an 80-byte v4l2_buffer on armhf, ...).</summary>
    public static readonly Version FirstTime64Kernel = new(5, 6);

    private static readonly Lazy<V4l2AbiChoice> CurrentChoiceLazy = new(ChooseForThisProcess);

    /// <summary>The ABI of this process.</summary>
    public static V4l2Abi Current => CurrentChoice.Abi;

    /// <summary>The ABI of this process and why (decided once, on first use).</summary>
    public static V4l2AbiChoice CurrentChoice => CurrentChoiceLazy.Value;

    /// <summary>
    /// The ABI for a pointer size, an MJPG_STREAMER_TIME_BITS value ("32" or "64"; null, empty or anything else: not
    /// set), what the system's programs say about time_t and the kernel version (null: unknown). A pure function; the
    /// order is in the type's remarks.
    /// </summary>
    public static V4l2AbiChoice Choose(int pointerSize, string? timeBits, UserlandProbe userland, Version? kernel)
    {
        var variable = timeBits?.Trim();
        if (pointerSize == 8)
        {
            return new V4l2AbiChoice(new V4l2Abi(8, 8), "64-bit process: V4L2 layouts with 64-bit pointers and time_t");
        }

        var ignored = string.IsNullOrEmpty(variable) || variable is "32" or "64"
            ? ""
            : $"; {TimeBitsVariable}='{variable}' ignored (not 32 or 64)";
        switch (variable)
        {
            case "64":
                return Time64($"{TimeBitsVariable}=64");
            case "32":
                return Time32($"{TimeBitsVariable}=32");
        }

        var kernelText = kernel is null ? "kernel version unknown" : $"kernel {kernel.ToString(2)}";
        if (kernel is not null && kernel < FirstTime64Kernel)
        {
            return Time32($"kernel {kernel.ToString(2)} is older than 5.6, which added the time64 V4L2 ioctls{ignored}");
        }

        return userland.Time switch
        {
            UserlandTime.Time64 => Time64($"the system's programs use 64-bit time_t: {userland.Evidence}; {kernelText}{ignored}"),
            UserlandTime.Time32 => Time32($"the system's programs use 32-bit time_t: {userland.Evidence}; {kernelText}{ignored}"),
            _ => Time32($"the system's time_t size is unknown ({userland.Evidence}); time32 works with every kernel{ignored}"),
        };

        static V4l2AbiChoice Time32(string why) => new(new V4l2Abi(4, 4), $"32-bit process: V4L2 time32 layout ({why})");

        static V4l2AbiChoice Time64(string why) => new(new V4l2Abi(4, 8), $"32-bit process: V4L2 time64 layout ({why})");
    }

    /// <summary>The major.minor of a kernel release string ("6.6.51+rpt-rpi-v7" is 6.6), or null.</summary>
    public static Version? ParseKernelRelease(string? release)
    {
        if (release is null)
        {
            return null;
        }

        var parts = release.Trim().Split('.', 3);
        if (parts.Length < 2)
        {
            return null;
        }

        var minorDigits = parts[1];
        var end = 0;
        while (end < minorDigits.Length && char.IsAsciiDigit(minorDigits[end]))
        {
            end++;
        }

        return end > 0
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            && int.TryParse(minorDigits.AsSpan(0, end), NumberStyles.None, CultureInfo.InvariantCulture, out var minor)
                ? new Version(major, minor)
                : null;
    }

    /// <summary>The running kernel's major.minor, or null when /proc cannot tell.</summary>
    public static Version? ReadKernelVersion()
    {
        try
        {
            return ParseKernelRelease(File.ReadAllText(KernelReleasePath));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Throws unless the sizes are a combination some Linux ABI has.</summary>
    public void Validate()
    {
        if (PointerSize is not (4 or 8) || TimeSize is not (4 or 8) || TimeSize < PointerSize)
        {
            throw new ArgumentException($"unsupported ABI: pointer size {PointerSize}, time_t size {TimeSize}");
        }
    }

    private static V4l2AbiChoice ChooseForThisProcess()
    {
        var pointerSize = IntPtr.Size;
        var timeBits = Environment.GetEnvironmentVariable(TimeBitsVariable);

        // The programs and the kernel are looked at only when they can make a difference.
        var probe = pointerSize == 4 && timeBits?.Trim() is not ("32" or "64");
        return Choose(
            pointerSize,
            timeBits,
            probe ? UserlandTimeBits.Probe(UserlandTimeBits.StandardPrograms) : UserlandProbe.NotProbed,
            probe ? ReadKernelVersion() : null);
    }
}

/// <summary>The V4L2 ABI chosen for this process, and why, in words for the log.</summary>
internal readonly record struct V4l2AbiChoice(V4l2Abi Abi, string Reason);
