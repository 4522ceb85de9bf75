using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Streaming;

namespace MjpgStreamer.Native.Sources.Folder;

/// <summary>
/// Turns one file into a published frame for either run mode: reads and checks it, publishes it or logs
/// why not (once per file in the -e loop), and deletes it afterwards with -r.
/// </summary>
internal sealed class FolderFileHandler(SourceContext context, bool remove)
{
    private readonly ILogger _logger = context.Logger;

    /// <summary>
    /// Handles <paramref name="path"/>. <paramref name="warnOnce"/> is the -e loop's entry, whose problems are
    /// logged only until it is good again; null in watch mode, where every file is new.
    /// </summary>
    public JpegFileOutcome Handle(string path, FolderEntry? warnOnce)
    {
        var frame = context.RentFrame();
        var outcome = JpegFileReader.Read(path, frame, out var problem);
        if (outcome == JpegFileOutcome.Good)
        {
            context.Publish(frame);
        }
        else
        {
            frame.Release();
        }

        switch (outcome)
        {
            case JpegFileOutcome.Good:
                if (warnOnce is not null)
                {
                    warnOnce.Warned = false;
                }

                break;
            case JpegFileOutcome.Invalid:
                if (warnOnce is null || !warnOnce.Warned)
                {
                    FolderLog.Skipped(_logger, path, problem!);
                }

                if (warnOnce is not null)
                {
                    warnOnce.Warned = true;
                }

                break;
            case JpegFileOutcome.Missing:
                if (warnOnce is null)
                {
                    FolderLog.Vanished(_logger, path);
                }
                else
                {
                    FolderLog.Skipped(_logger, path, "the file no longer exists");
                }

                break;
        }

        if (outcome != JpegFileOutcome.Missing && remove)
        {
            TryDelete(path);
        }

        return outcome;
    }

    /// <summary>Deletes <paramref name="path"/>; a failure is logged, not thrown.</summary>
    public bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            FolderLog.DeleteFailed(_logger, path, ex.Message);
            return false;
        }
    }
}
