using System.Globalization;
using System.Text.Json;

namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>What /proc and /state say about a running server: stream clients, threads' CPU, descriptors, RSS.</summary>
public static class ProcessProbe
{
    /// <summary>The stream clients /state lists for output <paramref name="output"/>.</summary>
    public static async Task<int> StreamClientsAsync(int port, int output = 0)
    {
        var response = await RawHttp.GetResponseAsync(port, "/state");
        using var document = JsonDocument.Parse(response.Body);
        return document.RootElement.GetProperty("outputs")[output].GetProperty("clients").GetArrayLength();
    }

    /// <summary>utime + stime in clock ticks of every thread of the process, by thread id (name in the value).</summary>
    public static Dictionary<int, (string Name, long Ticks)> ThreadTicks(int pid)
    {
        var result = new Dictionary<int, (string, long)>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(task, "stat"));
            }
            catch (IOException)
            {
                continue; // the thread ended meanwhile
            }

            // "tid (comm) state ppid ..." : comm may hold spaces, so split after the last ')'.
            var close = stat.LastIndexOf(')');
            var name = stat[(stat.IndexOf('(', StringComparison.Ordinal) + 1)..close];
            var fields = stat[(close + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            result[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] = (name, ticks);
        }

        return result;
    }

    /// <summary>The open descriptors of the process whose link target starts with <paramref name="prefix"/> ("pipe:", "socket:").</summary>
    public static int CountDescriptors(int pid, string prefix)
    {
        var count = 0;
        foreach (var fd in Directory.EnumerateFiles($"/proc/{pid}/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith(prefix, StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // closed meanwhile
            }
        }

        return count;
    }

    /// <summary>VmRSS of the process in KiB.</summary>
    public static long RssKiB(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"no VmRSS for pid {pid}");
    }
}
