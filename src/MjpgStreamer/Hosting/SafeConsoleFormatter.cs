using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using MjpgStreamer.Core.Diagnostics;

namespace MjpgStreamer.Hosting;

/// <summary>
/// The console log line: the simple formatter's single-line layout ("HH:mm:ss.fff warn: category[id] message"),
/// with every control character in the message and the exception escaped (<see cref="LogText"/>). Escaping here,
/// at the one place every line passes, covers all text that comes from outside: request paths, queries,
/// headers and user names, file names from a watched folder, and what child programs print. Our own messages
/// are single lines by design (the simple formatter already flattened line breaks), so nothing intended is lost;
/// an exception's stack keeps its line breaks flattened to spaces, as before.
/// </summary>
internal sealed class SafeConsoleFormatter(TimeProvider time) : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "mjpg_streamer";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        textWriter.Write(time.GetLocalNow().ToString("HH:mm:ss.fff ", CultureInfo.InvariantCulture));
        textWriter.Write(LevelName(logEntry.LogLevel));
        textWriter.Write(": ");
        textWriter.Write(LogText.Escape(logEntry.Category));
        textWriter.Write('[');
        textWriter.Write(logEntry.EventId.Id.ToString(CultureInfo.InvariantCulture));
        textWriter.Write(']');
        if (!string.IsNullOrEmpty(message))
        {
            textWriter.Write(' ');
            textWriter.Write(LogText.Escape(message));
        }

        if (logEntry.Exception is { } exception)
        {
            textWriter.Write(' ');
            textWriter.Write(LogText.Escape(exception.ToString().Replace(Environment.NewLine, " ", StringComparison.Ordinal)));
        }

        textWriter.Write('\n');
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => level.ToString().ToLowerInvariant(),
    };
}
