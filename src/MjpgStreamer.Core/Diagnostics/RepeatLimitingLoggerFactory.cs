using System.Globalization;
using Microsoft.Extensions.Logging;

namespace MjpgStreamer.Core.Diagnostics;

/// <summary>
/// Wraps the program's logger factory so that a warning (or error) repeated with the same category, event id
/// and text is written at most once per window (10 s): the first one goes out at once, the repeats within the
/// window are counted, and when the window ends a count is written ("… (repeated 41 times in the last 10 s)")
/// and a new window begins; a window without repeats ends the tracking. A client that makes the same
/// warning a thousand times a second so costs two lines per window. Time comes from the <see cref="TimeProvider"/>.
/// </summary>
public sealed class RepeatLimitingLoggerFactory : ILoggerFactory
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(10);

    /// <summary>At most this many distinct messages are tracked at once; beyond, messages pass unlimited.</summary>
    private const int MaxTracked = 256;

    private readonly ILoggerFactory _inner;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Category, int EventId, string Text), Entry> _entries = [];
    private bool _disposed;

    public RepeatLimitingLoggerFactory(ILoggerFactory inner, TimeProvider time, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(time);
        _inner = inner;
        _time = time;
        Window = window;
    }

    public TimeSpan Window { get; }

    public ILogger CreateLogger(string categoryName) => new LimitedLogger(this, categoryName, _inner.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider) => _inner.AddProvider(provider);

    /// <summary>Writes the counts still pending, then disposes the inner factory.</summary>
    public void Dispose()
    {
        List<Entry> pending;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            pending = [.. _entries.Values];
            _entries.Clear();
        }

        foreach (var entry in pending)
        {
            entry.Timer?.Dispose();
            if (entry.Count > 0)
            {
                WriteSummary(entry, entry.Count);
            }
        }

        _inner.Dispose();
    }

    /// <summary>Whether a message goes out now; false when it repeats one written within the window (it is counted).</summary>
    private bool Admit(string category, ILogger logger, LogLevel level, EventId eventId, string text)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return true;
            }

            var key = (category, eventId.Id, text);
            if (_entries.TryGetValue(key, out var entry))
            {
                entry.Count++;
                return false;
            }

            if (_entries.Count >= MaxTracked)
            {
                return true;
            }

            entry = new Entry(key, logger, level, eventId);
            _entries.Add(key, entry);
            entry.Owner = this;
            entry.Timer = _time.CreateTimer(static state => ((Entry)state!).Owner!.WindowEnded((Entry)state!), entry, Window, Timeout.InfiniteTimeSpan);
            return true;
        }
    }

    private void WindowEnded(Entry entry)
    {
        int count;
        lock (_gate)
        {
            if (_disposed || !_entries.TryGetValue(entry.Key, out var current) || current != entry)
            {
                return;
            }

            count = entry.Count;
            if (count == 0)
            {
                _entries.Remove(entry.Key);
                entry.Timer?.Dispose();
                return;
            }

            entry.Count = 0;
            entry.Timer?.Change(Window, Timeout.InfiniteTimeSpan);
        }

        WriteSummary(entry, count);
    }

    private void WriteSummary(Entry entry, int count)
    {
        var summary = string.Create(
            CultureInfo.InvariantCulture,
            $"{entry.Key.Text} (repeated {count} {(count == 1 ? "time" : "times")} in the last {Window.TotalSeconds:0.#} s)");
        entry.Logger.Log(entry.Level, entry.EventId, summary, null, static (s, _) => s);
    }

    private sealed class Entry((string Category, int EventId, string Text) key, ILogger logger, LogLevel level, EventId eventId)
    {
        public (string Category, int EventId, string Text) Key { get; } = key;

        public ILogger Logger { get; } = logger;

        public LogLevel Level { get; } = level;

        public EventId EventId { get; } = eventId;

        public RepeatLimitingLoggerFactory? Owner { get; set; }

        public ITimer? Timer { get; set; }

        public int Count { get; set; }
    }

    private sealed class LimitedLogger(RepeatLimitingLoggerFactory owner, string category, ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning && logLevel != LogLevel.None && inner.IsEnabled(logLevel))
            {
                ArgumentNullException.ThrowIfNull(formatter);
                if (!owner.Admit(category, inner, logLevel, eventId, formatter(state, exception)))
                {
                    return;
                }
            }

            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
