using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Diagnostics;

namespace MjpgStreamer.Native.Sources.Folder;

/// <summary>The log lines of input_file.so (event ids 400–409), shared by its run modes.</summary>
internal static partial class FolderLog
{
    [LoggerMessage(EventId = LogEvents.FolderWatched, Level = LogLevel.Information, Message = "input_file: folder to watch...: {Folder}/")]
    public static partial void Folder(ILogger logger, string folder);

    [LoggerMessage(EventId = LogEvents.FolderDelay, Level = LogLevel.Information, Message = "input_file: forced delay......: {Delay}")]
    public static partial void Delay(ILogger logger, string delay);

    [LoggerMessage(EventId = LogEvents.FolderRemove, Level = LogLevel.Information, Message = "input_file: delete file.......: {Answer}")]
    public static partial void Remove(ILogger logger, string answer);

    [LoggerMessage(EventId = LogEvents.FolderNameFilter, Level = LogLevel.Information, Message = "input_file: filename must be..: {Name}")]
    public static partial void NameFilter(ILogger logger, string name);

    [LoggerMessage(EventId = LogEvents.FolderMode, Level = LogLevel.Information, Message = "input_file: mode..............: {Mode}")]
    public static partial void Mode(ILogger logger, string mode);

    [LoggerMessage(EventId = LogEvents.FolderSkipped, Level = LogLevel.Warning, Message = "input_file: skipped '{Path}': {Problem}")]
    public static partial void Skipped(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = LogEvents.FolderVanished, Level = LogLevel.Debug, Message = "input_file: '{Path}' disappeared before it could be read")]
    public static partial void Vanished(ILogger logger, string path);

    [LoggerMessage(EventId = LogEvents.FolderDeleteFailed, Level = LogLevel.Warning, Message = "input_file: could not delete '{Path}': {Problem}")]
    public static partial void DeleteFailed(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = LogEvents.FolderOverflow, Level = LogLevel.Warning, Message = "input_file: the inotify queue overflowed, some new files in {Folder} were missed")]
    public static partial void Overflow(ILogger logger, string folder);

    [LoggerMessage(EventId = LogEvents.FolderSuperseded, Level = LogLevel.Debug, Message = "input_file: deleted '{Path}' unread, a newer file replaced it")]
    public static partial void Superseded(ILogger logger, string path);
}
