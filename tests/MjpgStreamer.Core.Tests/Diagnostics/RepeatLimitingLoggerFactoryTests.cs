// The tests log plain messages through the extension methods on purpose: the text is what is limited.
#pragma warning disable CA1848

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using MjpgStreamer.Core.Diagnostics;

namespace MjpgStreamer.Core.Tests.Diagnostics;

public sealed class RepeatLimitingLoggerFactoryTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingLoggerFactory _inner = new();
    private readonly RepeatLimitingLoggerFactory _factory;
    private readonly ILogger _logger;

    public RepeatLimitingLoggerFactoryTests()
    {
        _factory = new RepeatLimitingLoggerFactory(_inner, _time, TimeSpan.FromSeconds(10));
        _logger = _factory.CreateLogger("output_http");
    }

    public void Dispose() => _factory.Dispose();

    [Fact]
    public void A_repeated_warning_is_written_once_per_window_then_as_a_count()
    {
        for (var i = 0; i < 6; i++)
        {
            _logger.LogWarning(new EventId(210), "dropping client {Remote}", "10.0.0.1");
        }

        Assert.Equal(["210 Warning dropping client 10.0.0.1"], _inner.Lines);

        _time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.Single(_inner.Lines);

        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(
            ["210 Warning dropping client 10.0.0.1", "210 Warning dropping client 10.0.0.1 (repeated 5 times in the last 10 s)"],
            _inner.Lines);

        // The next window: still limited (at most one line per window), one repeat counted.
        _logger.LogWarning(new EventId(210), "dropping client {Remote}", "10.0.0.1");
        Assert.Equal(2, _inner.Lines.Count);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("210 Warning dropping client 10.0.0.1 (repeated 1 time in the last 10 s)", _inner.Lines[^1]);

        // A window without repeats ends the tracking: nothing written, and the next one goes out at once.
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(3, _inner.Lines.Count);
        _time.Advance(TimeSpan.FromSeconds(30));
        _logger.LogWarning(new EventId(210), "dropping client {Remote}", "10.0.0.1");
        Assert.Equal(4, _inner.Lines.Count);
        Assert.Equal("210 Warning dropping client 10.0.0.1", _inner.Lines[^1]);
    }

    [Fact]
    public void A_warning_alone_writes_no_count()
    {
        _logger.LogWarning(new EventId(210), "once");
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(["210 Warning once"], _inner.Lines);
    }

    [Fact]
    public void Other_texts_ids_categories_and_information_are_not_limited()
    {
        _logger.LogWarning(new EventId(210), "a");
        _logger.LogWarning(new EventId(210), "b");
        _logger.LogWarning(new EventId(211), "a");
        _factory.CreateLogger("input_0").LogWarning(new EventId(210), "a");
        _logger.LogInformation(new EventId(100), "state");
        _logger.LogInformation(new EventId(100), "state");
        _logger.LogError(new EventId(101), "failed");
        _logger.LogError(new EventId(101), "failed");

        Assert.Equal(
            ["210 Warning a", "210 Warning b", "211 Warning a", "210 Warning a", "100 Information state", "100 Information state", "101 Error failed"],
            _inner.Lines);
    }

    [Fact]
    public void Disposing_writes_the_counts_still_pending()
    {
        _logger.LogWarning(new EventId(210), "x");
        _logger.LogWarning(new EventId(210), "x");
        _logger.LogWarning(new EventId(210), "x");
        _factory.Dispose();
        Assert.Equal(["210 Warning x", "210 Warning x (repeated 2 times in the last 10 s)"], _inner.Lines);
    }

    private sealed class RecordingLoggerFactory : ILoggerFactory
    {
        private readonly Lock _gate = new();
        private readonly List<string> _lines = [];

        public List<string> Lines
        {
            get
            {
                lock (_gate)
                {
                    return [.. _lines];
                }
            }
        }

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => new Recorder(this);

        public void Dispose()
        {
        }

        private sealed class Recorder(RecordingLoggerFactory owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner._gate)
                {
                    owner._lines.Add($"{eventId.Id} {logLevel} {formatter(state, exception)}");
                }
            }
        }
    }
}
