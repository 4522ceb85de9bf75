using System.Globalization;
using MjpgStreamer.Native.Interop;

namespace MjpgStreamer.Native;

/// <summary>
/// The process's open-file limit (RLIMIT_NOFILE). The soft limit is often 1024 while the hard one is far higher; every
/// HTTP connection takes a descriptor, so the server raises its soft limit to the hard one at start.
/// </summary>
public static class DescriptorLimit
{
    /// <summary>The soft limit now (long.MaxValue for "unlimited"), or null when it cannot be read.</summary>
    public static long? Current => LibcLimits.Get(LibcLimits.RlimitNofile, out var limit) == 0 ? Clamp(limit.Current) : null;

    /// <summary>
    /// Raises the soft limit to the hard limit (to fs.nr_open when the hard one is unlimited). Returns the soft limit
    /// before and after, and the errno of a failed raise (0 when it worked or there was nothing to do).
    /// </summary>
    public static (long Before, long After, int Error) RaiseToHard()
    {
        var error = LibcLimits.Get(LibcLimits.RlimitNofile, out var limit);
        if (error != 0)
        {
            return (-1, -1, error);
        }

        var before = limit.Current;
        var target = limit.Maximum == LibcLimits.Infinity ? Math.Min(limit.Maximum, KernelMaximum()) : limit.Maximum;
        if (target <= before)
        {
            return (Clamp(before), Clamp(before), 0);
        }

        error = LibcLimits.Set(LibcLimits.RlimitNofile, new LibcLimits.Rlimit64 { Current = target, Maximum = limit.Maximum });
        return (Clamp(before), Clamp(error == 0 ? target : before), error);
    }

    /// <summary>fs.nr_open: the most descriptors a process may be allowed (1048576 unless changed).</summary>
    private static ulong KernelMaximum()
    {
        try
        {
            return ulong.Parse(File.ReadAllText("/proc/sys/fs/nr_open").Trim(), CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return 1024 * 1024;
        }
    }

    private static long Clamp(ulong value) => value > long.MaxValue ? long.MaxValue : (long)value;
}
