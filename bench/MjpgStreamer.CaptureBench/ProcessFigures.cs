using System.Globalization;

namespace MjpgStreamer.CaptureBench;

/// <summary>
/// Another process's open descriptors other than sockets (stream clients come and go), its threads and its
/// resident memory, from /proc: what grows when a pause cycle leaks.
/// </summary>
internal readonly record struct ProcessFigures(int Descriptors, int Threads, long RssKiB)
{
    public static ProcessFigures Of(int pid)
    {
        var descriptors = 0;
        foreach (var entry in new DirectoryInfo($"/proc/{pid}/fd").EnumerateFileSystemInfos())
        {
            if (TryLinkTarget(entry) is { } target && !target.StartsWith("socket:", StringComparison.Ordinal))
            {
                descriptors++;
            }
        }

        var (threads, rss) = ParseStatus(File.ReadAllText($"/proc/{pid}/status"));
        return new ProcessFigures(descriptors, threads, rss);
    }

    /// <summary>Threads and VmRSS (KiB) from the text of /proc/PID/status.</summary>
    public static (int Threads, long RssKiB) ParseStatus(string status)
    {
        int? threads = null;
        long? rss = null;
        foreach (var line in status.Split('\n'))
        {
            if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(FirstWord(line["Threads:".Length..]), CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(FirstWord(line["VmRSS:".Length..]), CultureInfo.InvariantCulture);
            }
        }

        return (threads ?? throw new FormatException("no Threads: line in /proc/PID/status"),
                rss ?? throw new FormatException("no VmRSS: line in /proc/PID/status"));
    }

    /// <summary>Whether one of the process's descriptors points at <paramref name="path"/> (exact, as the fake opens the file itself).</summary>
    public static bool Holds(int pid, string path)
    {
        foreach (var entry in new DirectoryInfo($"/proc/{pid}/fd").EnumerateFileSystemInfos())
        {
            if (string.Equals(TryLinkTarget(entry), path, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string FirstWord(string text) => text.Trim().Split(' ', '\t')[0];

    private static string? TryLinkTarget(FileSystemInfo entry)
    {
        try
        {
            return entry.LinkTarget;
        }
        catch (IOException)
        {
            // The descriptor was closed while we looked.
            return null;
        }
    }
}
