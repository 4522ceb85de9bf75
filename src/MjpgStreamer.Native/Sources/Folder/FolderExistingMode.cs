using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;

namespace MjpgStreamer.Native.Sources.Folder;

/// <summary>
/// input_file.so -e: loops over the .jpg files present in the folder at start, in ordinal name order, one
/// every -d seconds. Files that vanish drop out of the loop; the folder is listed again only after a pass
/// that showed nothing (empty, unreadable, or only broken files), once a second. A broken file's warning
/// is logged once, not every pass. With -r every file is shown once and deleted.
/// </summary>
internal sealed class FolderExistingMode(string folder, bool remove, SourceContext context, FolderPacer pacer, FolderFileHandler files)
{
    /// <summary>The original's test: the name contains ".jpg" or ".JPG" anywhere (so "a.jpg.bak" counts, "a.jpeg" does not).</summary>
    internal static bool IsJpgName(string name) =>
        name.Contains(".jpg", StringComparison.Ordinal) || name.Contains(".JPG", StringComparison.Ordinal);

    /// <summary>Runs until cancellation.</summary>
    public void Run()
    {
        var entries = new List<FolderEntry>();
        string? listProblem = List(entries);
        var index = 0;
        var publishedThisPass = false;
        long due = 0;
        while (!pacer.Cancelled)
        {
            if (index >= entries.Count)
            {
                if (entries.Count == 0 || !publishedThisPass)
                {
                    // The clock is read before the state changes, so whoever sees the state and advances a
                    // clock (a test) cannot push the retry further away.
                    var retryAt = pacer.Now + pacer.RetryTicks;
                    context.SetState(
                        InputState.NoSignal,
                        listProblem ?? (entries.Count == 0 ? $"no .jpg files in {folder}" : $"no readable .jpg files in {folder}"));
                    pacer.WaitUntil(retryAt, null);
                    if (pacer.Cancelled)
                    {
                        break;
                    }

                    listProblem = List(entries);
                }

                index = 0;
                publishedThisPass = false;
                continue;
            }

            var now = pacer.Now;
            if (now < due)
            {
                pacer.WaitUntil(due, null);
                continue;
            }

            var entry = entries[index];
            var outcome = files.Handle(entry.Path, entry);
            if (outcome == JpegFileOutcome.Good)
            {
                publishedThisPass = true;
                due = pacer.NextDue(due, now);
            }

            if (outcome == JpegFileOutcome.Missing || remove)
            {
                entries.RemoveAt(index);
            }
            else
            {
                index++;
            }
        }
    }

    /// <summary>Lists the folder's .jpg files in ordinal name order; a problem text when the folder cannot be read.</summary>
    private string? List(List<FolderEntry> entries)
    {
        // Files that were bad before stay quiet after a re-list.
        var warned = entries.Where(e => e.Warned).Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        entries.Clear();
        try
        {
            var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true, RecurseSubdirectories = false };
            foreach (var path in Directory.EnumerateFiles(folder, "*", options))
            {
                var name = Path.GetFileName(path);
                if (IsJpgName(name))
                {
                    entries.Add(new FolderEntry(path, name) { Warned = warned.Contains(name) });
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            entries.Clear();
            return $"cannot list {folder}: {ex.Message}";
        }

        entries.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return null;
    }
}
