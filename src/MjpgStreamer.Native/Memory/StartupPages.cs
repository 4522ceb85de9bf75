using System.Globalization;
using MjpgStreamer.Native.Interop;

namespace MjpgStreamer.Native.Memory;

/// <summary>
/// Lets go of the executable's pages that only starting touched. Reading a file mapping faults in its neighbours too
/// (the kernel maps up to 64 KiB around each fault), so starting leaves most of the 13 MiB executable mapped and in
/// RSS, though serving frames runs a small part of it. madvise(MADV_DONTNEED) on the read-only mappings of the
/// executable that hold file pages only (no copy-on-write page: <c>Anonymous</c> 0 in smaps) unmaps them; they stay
/// in the page cache, and the pages the process touches again come back from it as it does (a minor fault, no read).
/// Writable mappings, and any with a copy-on-write page (relocated data), are never touched: for those the call would
/// throw away what was written. (A page of a file written shortly before counts as dirty in smaps until it is written
/// back; it is still a page-cache page, which unmapping leaves as it is.)
/// </summary>
public static class StartupPages
{
    /// <summary>One mapping that may be unmapped: its start, length and resident size in bytes.</summary>
    public readonly record struct Mapping(ulong Start, ulong Length, long ResidentBytes);

    /// <summary>Unmaps the executable's read-only file mappings; returns the resident bytes they held (0 when none or on an error).</summary>
    public static long Release()
    {
        List<Mapping> mappings;
        try
        {
            var executable = new FileInfo("/proc/self/exe").LinkTarget;
            if (executable is null)
            {
                return 0;
            }

            mappings = FileOnlyReadOnlyMappings(File.ReadLines("/proc/self/smaps"), executable);
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }

        long released = 0;
        foreach (var mapping in mappings)
        {
            if (LibcMemory.Advise(mapping.Start, mapping.Length, LibcMemory.DontNeed) == 0)
            {
                released += mapping.ResidentBytes;
            }
        }

        return released;
    }

    /// <summary>
    /// The mappings of <paramref name="path"/> in the lines of an smaps file that are read-only (<c>r--p</c>, <c>r-xp</c>), resident
    /// and hold file pages only (no copy-on-write page).
    /// </summary>
    public static List<Mapping> FileOnlyReadOnlyMappings(IEnumerable<string> smaps, string path)
    {
        var found = new List<Mapping>();
        Mapping? current = null;
        var fileOnly = false;
        foreach (var line in smaps)
        {
            if (IsHeader(line, out var start, out var end, out var permissions, out var file))
            {
                Add();
                var readOnly = permissions is "r--p" or "r-xp";
                current = readOnly && file == path ? new Mapping(start, end - start, 0) : null;
                fileOnly = false; // until its Anonymous line says so
                continue;
            }

            if (current is not { } mapping)
            {
                continue;
            }

            var kilobytes = Field(line);
            if (line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                current = mapping with { ResidentBytes = kilobytes * 1024 };
            }
            else if (line.StartsWith("Anonymous:", StringComparison.Ordinal))
            {
                fileOnly = kilobytes == 0;
            }
        }

        Add();
        return found;

        void Add()
        {
            if (current is { ResidentBytes: > 0 } mapping && fileOnly)
            {
                found.Add(mapping);
            }
        }
    }

    private static long Field(string line)
    {
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        var rest = colon < 0 ? "" : line[(colon + 1)..].Trim();
        var space = rest.IndexOf(' ', StringComparison.Ordinal);
        return long.TryParse(space < 0 ? rest : rest[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : -1;
    }

    // "55f75b7b9000-55f75be99000 r-xp 00019000 fe:00 5310322   /path" (the path may hold spaces, or be absent).
    private static bool IsHeader(string line, out ulong start, out ulong end, out string permissions, out string file)
    {
        start = end = 0;
        permissions = file = "";
        var parts = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        var dash = parts.Length < 5 ? -1 : parts[0].IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0)
        {
            return false;
        }

        if (!ulong.TryParse(parts[0].AsSpan(0, dash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out start)
            || !ulong.TryParse(parts[0].AsSpan(dash + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out end))
        {
            return false;
        }

        permissions = parts[1];
        file = parts.Length == 6 ? parts[5].Trim() : "";
        return true;
    }
}
