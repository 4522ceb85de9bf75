using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MjpgStreamer.Native.Tests.Sources.Uvc;

/// <summary>Keeps every log line with the name of the thread that wrote it, to see where a command ran.</summary>
internal sealed class ThreadRecordingLogger : ILogger
{
    private readonly ConcurrentQueue<(string Message, string? Thread)> _entries = new();

    public IReadOnlyList<(string Message, string? Thread)> Entries => [.. _entries];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        => _entries.Enqueue((formatter(state, exception), Thread.CurrentThread.Name));
}
