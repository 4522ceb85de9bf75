using System.Globalization;

namespace MjpgStreamer.LoadClient;

/// <summary>Server CPU time and resident memory from Linux's /proc.</summary>
internal static class ProcessStats
{
    /// <summary>
    /// USER_HZ, the unit of utime/stime in /proc/PID/stat. It is 100 on every Linux architecture we ship
    /// (x86_64, arm64, armhf); `getconf CLK_TCK` prints it.
    /// </summary>
    public const double ClockTicksPerSecond = 100;

    /// <summary>utime + stime of the process in clock ticks, or null when the process is gone.</summary>
    public static long? ReadCpuTicks(int pid)
    {
        var text = TryRead($"/proc/{pid}/stat");
        return text is null ? null : ParseCpuTicks(text);
    }

    /// <summary>VmRSS in KiB, or null when the process is gone.</summary>
    public static long? ReadRssKiB(int pid)
    {
        var text = TryRead($"/proc/{pid}/status");
        return text is null ? null : ParseVmRssKiB(text);
    }

    /// <summary>Fields 14 and 15 of /proc/PID/stat. The command name (field 2) may hold spaces and ')', so count from the last ')'.</summary>
    public static long? ParseCpuTicks(string stat)
    {
        var close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        // After ')' come field 3 (state) onwards; utime is field 14, so index 11 of what follows.
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 13
            || !long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out var utime)
            || !long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var stime))
        {
            return null;
        }

        return utime + stime;
    }

    /// <summary>"VmRSS:     23456 kB" from /proc/PID/status.</summary>
    public static long? ParseVmRssKiB(string status)
    {
        foreach (var line in status.Split('\n'))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                continue;
            }

            var value = line["VmRSS:".Length..].Trim();
            var space = value.IndexOf(' ', StringComparison.Ordinal);
            var number = space < 0 ? value : value[..space];
            return long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var kib) ? kib : null;
        }

        return null;
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
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
}
