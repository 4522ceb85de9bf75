using System.Globalization;

namespace MjpgStreamer.Native.Sources;

/// <summary>
/// A child's descendants, read from /proc, so that stopping a child (say `sh -c "a | b"`) reaches the
/// processes it started too. Each process is identified by pid and start time, so a pid the kernel has
/// reused for an unrelated process is never signalled.
/// </summary>
internal static class ProcessTree
{
    public readonly record struct ProcessId(int Pid, long StartTime);

    /// <summary>The descendants of <paramref name="pid"/> (not the process itself), parents before children.</summary>
    public static List<ProcessId> Descendants(int pid)
    {
        var children = new Dictionary<int, List<ProcessId>>();
        try
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var candidate)
                    && TryReadStat(candidate, out var parent, out var startTime))
                {
                    if (!children.TryGetValue(parent, out var list))
                    {
                        children[parent] = list = [];
                    }

                    list.Add(new ProcessId(candidate, startTime));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // /proc unreadable: only the direct child can be stopped.
        }

        var result = new List<ProcessId>();
        var queue = new Queue<int>();
        queue.Enqueue(pid);
        while (queue.Count > 0 && result.Count < 10_000)
        {
            if (children.TryGetValue(queue.Dequeue(), out var list))
            {
                foreach (var child in list)
                {
                    result.Add(child);
                    queue.Enqueue(child.Pid);
                }
            }
        }

        return result;
    }

    /// <summary>The live members of process group <paramref name="pgid"/> other than its leader (zombies are left out).</summary>
    public static List<ProcessId> GroupMembers(int pgid)
    {
        var members = new List<ProcessId>();
        try
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var candidate)
                    && candidate != pgid
                    && TryReadStat(candidate, out _, out var group, out var startTime)
                    && group == pgid)
                {
                    members.Add(new ProcessId(candidate, startTime));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // /proc unreadable: the signals to the group still reach them.
        }

        return members;
    }

    /// <summary>True while the process exists and is the one that was seen (same start time).</summary>
    public static bool IsAlive(ProcessId process) =>
        TryReadStat(process.Pid, out _, out var startTime) && startTime == process.StartTime;

    /// <summary>Parent pid and start time (clock ticks since boot) from /proc/PID/stat.</summary>
    public static bool TryReadStat(int pid, out int parent, out long startTime) => TryReadStat(pid, out parent, out _, out startTime);

    private static bool TryReadStat(int pid, out int parent, out int group, out long startTime)
    {
        parent = 0;
        group = 0;
        startTime = 0;
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        // "pid (comm) state ppid … starttime …": comm may contain spaces and parentheses, so split after the last ')'.
        var close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return false;
        }

        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);

        // fields[0] is field 3 (state): ppid is field 4, pgrp field 5, starttime field 22. A zombie is as good as gone.
        return fields.Length > 19
            && fields[0] != "Z"
            && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out parent)
            && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out group)
            && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out startTime);
    }

    /// <summary>
    /// Stops (SIGSTOP) the process group <paramref name="pid"/> leads, the process itself and all its descendants,
    /// so none can start another process between our looking and our signalling (a shell would otherwise leave an
    /// orphan behind). Returns the descendants and the other group members; the caller sends SIGTERM (and SIGCONT)
    /// or SIGKILL next.
    /// </summary>
    public static List<ProcessId> Freeze(int pid)
    {
        // The group in one call: the kernel lets no member fork past a signal sent to its group. Descendants that
        // left the group (setsid, setpgid) are found in /proc below.
        _ = Interop.LibcSignals.Kill(-pid, Interop.LibcSignals.SigStop);
        _ = Interop.LibcSignals.Kill(pid, Interop.LibcSignals.SigStop);
        var seen = new HashSet<int>();
        var found = new List<ProcessId>();
        for (var round = 0; round < 20; round++)
        {
            var added = false;
            foreach (var descendant in Descendants(pid))
            {
                if (seen.Add(descendant.Pid))
                {
                    _ = Interop.LibcSignals.Kill(descendant.Pid, Interop.LibcSignals.SigStop);
                    found.Add(descendant);
                    added = true;
                }
            }

            if (!added)
            {
                break;
            }
        }

        // Members whose parent has exited are no longer descendants, but are ours (and already stopped).
        found.AddRange(GroupMembers(pid).Where(member => seen.Add(member.Pid)));
        return found;
    }
}
