using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MjpgStreamer.Core.Pause;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;

namespace MjpgStreamer.Core.Tests.Pause;

/// <summary>
/// The pause coordinator on its own: a lock file in a temp folder (never the real /run path), the HTTP
/// pause, and a fake clock that decides when the file is looked at.
/// </summary>
public sealed class PauseCoordinatorTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("mjpg-pause-");
    private readonly FakeTimeProvider _time = new();

    private string LockFile => Path.Combine(_folder.FullName, "paused.lock");

    public void Dispose() => _folder.Delete(recursive: true);

    /// <summary>Publishes one frame per run, then holds its "device" until cancelled.</summary>
    private sealed class HoldingSource : IFrameSource
    {
        private int _runs;

        public string DisplayName => "holding";

        public int Runs => Volatile.Read(ref _runs);

        public async Task RunAsync(SourceContext context, CancellationToken cancellation)
        {
            var run = Interlocked.Increment(ref _runs);
            var frame = context.RentFrame();
            frame.Write(TestJpegs.Header(320 + run, 240));
            context.Publish(frame);
            await Task.Delay(Timeout.Infinite, cancellation);
        }
    }

    private static CameraStream NewInput(int id, HoldingSource source) =>
        new(id, "input_test.so", "", source, TimeProvider.System, NullLogger.Instance);

    private static async Task WaitForAsync(CameraStream input, InputState state)
    {
        using var bound = new CancellationTokenSource(Bound);
        await input.Context.WaitForStateAsync(state, bound.Token);
    }

    private PauseCoordinator NewCoordinator(IReadOnlyList<CameraStream> inputs, ILogger? logger = null, TimeSpan? warnAfter = null) =>
        new(inputs, LockFile, warnAfter ?? TimeSpan.FromMinutes(10), _time, logger ?? NullLogger.Instance);

    [Fact]
    public async Task The_lock_file_appearing_pauses_every_input_at_the_next_look_and_its_removal_resumes_them()
    {
        HoldingSource[] sources = [new(), new()];
        await using var first = NewInput(0, sources[0]);
        await using var second = NewInput(1, sources[1]);
        using var coordinator = NewCoordinator([first, second]);
        coordinator.Start();
        first.Start();
        second.Start();
        await WaitForAsync(first, InputState.Streaming);
        await WaitForAsync(second, InputState.Streaming);

        File.WriteAllText(LockFile, "");
        Assert.False(coordinator.Status.Paused);
        _time.Advance(LockFilePoller.Interval);
        Assert.Equal(("file", true, true), (coordinator.Status.Source, first.IsPausedExternally, second.IsPausedExternally));
        Assert.Equal(_time.GetUtcNow(), coordinator.Status.Since);
        await WaitForAsync(first, InputState.Released);
        await WaitForAsync(second, InputState.Released);
        Assert.Equal("lock file " + LockFile, first.Context.Reason);

        File.Delete(LockFile);
        _time.Advance(LockFilePoller.Interval);
        Assert.Equal((false, false, false), (coordinator.Status.Paused, first.IsPausedExternally, second.IsPausedExternally));
        Assert.Null(coordinator.Status.Since);
        await WaitForAsync(first, InputState.Streaming);
        await WaitForAsync(second, InputState.Streaming);
        Assert.Equal((2, 2), (sources[0].Runs, sources[1].Runs));
    }

    [Fact]
    public async Task A_lock_file_present_at_start_pauses_before_the_input_ever_runs()
    {
        File.WriteAllText(LockFile, "");
        var source = new HoldingSource();
        await using var input = NewInput(0, source);
        using var coordinator = NewCoordinator([input]);

        coordinator.Start();
        input.Start();

        Assert.True(input.IsPausedExternally);
        await WaitForAsync(input, InputState.Released);
        Assert.Equal(0, source.Runs);
    }

    [Fact]
    public async Task The_http_pause_pauses_and_resumes_without_a_file()
    {
        var source = new HoldingSource();
        await using var input = NewInput(0, source);
        using var coordinator = NewCoordinator([input]);
        coordinator.Start();
        input.Start();
        await WaitForAsync(input, InputState.Streaming);

        coordinator.SetHttpPaused(true);
        Assert.Equal(("http", true), (coordinator.Status.Source, input.IsPausedExternally));
        await WaitForAsync(input, InputState.Released);
        Assert.Equal("HTTP pause", input.Context.Reason);
        Assert.False(File.Exists(LockFile));

        coordinator.SetHttpPaused(false);
        Assert.False(input.IsPausedExternally);
        await WaitForAsync(input, InputState.Streaming);
        Assert.Equal(2, source.Runs);
    }

    [Fact]
    public async Task The_file_and_the_http_pause_are_independent()
    {
        var source = new HoldingSource();
        await using var input = NewInput(0, source);
        using var coordinator = NewCoordinator([input]);
        coordinator.Start();
        input.Start();
        await WaitForAsync(input, InputState.Streaming);

        File.WriteAllText(LockFile, "");
        _time.Advance(LockFilePoller.Interval);
        await WaitForAsync(input, InputState.Released);

        // An HTTP resume does not lift the file's pause.
        coordinator.SetHttpPaused(true);
        Assert.Equal("file+http", coordinator.Status.Source);
        coordinator.SetHttpPaused(false);
        Assert.Equal(("file", true), (coordinator.Status.Source, input.IsPausedExternally));

        // Removing the file does not lift the HTTP pause.
        coordinator.SetHttpPaused(true);
        File.Delete(LockFile);
        _time.Advance(LockFilePoller.Interval);
        Assert.Equal(("http", true), (coordinator.Status.Source, input.IsPausedExternally));

        coordinator.SetHttpPaused(false);
        Assert.False(coordinator.Status.Paused);
        await WaitForAsync(input, InputState.Streaming);
    }

    [Fact]
    public async Task Without_a_lock_file_or_once_disposed_no_file_pauses()
    {
        var source = new HoldingSource();
        await using var input = NewInput(0, source);
        using (var withoutFile = new PauseCoordinator([input], null, TimeSpan.FromMinutes(10), _time, NullLogger.Instance))
        {
            withoutFile.Start();
            File.WriteAllText(LockFile, "");
            _time.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal((null, false), (withoutFile.Status.LockFile, withoutFile.Status.Paused));
        }

        File.Delete(LockFile);
        var coordinator = NewCoordinator([input]);
        coordinator.Start();
        coordinator.Dispose();
        File.WriteAllText(LockFile, "");
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(coordinator.Status.Paused);
        Assert.False(input.IsPausedExternally);
    }

    [Fact]
    public async Task A_pause_longer_than_the_warning_time_is_logged_once_and_shown()
    {
        File.WriteAllText(LockFile, "");
        var source = new HoldingSource();
        await using var input = NewInput(0, source);
        var logger = new CountingLogger();
        using var coordinator = NewCoordinator([input], logger, TimeSpan.FromSeconds(60));
        coordinator.Start();
        Assert.Null(coordinator.Status.Warning);

        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Null(coordinator.Status.Warning);
        Assert.Equal(0, logger.Warnings);

        _time.Advance(TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Contains("left behind", coordinator.Status.Warning, StringComparison.Ordinal);
        Assert.Equal(1, logger.Warnings);
    }

    [Fact]
    public async Task Without_a_watch_given_the_file_is_looked_at_once_a_second()
    {
        var source = new HoldingSource();
        await using var input = NewInput(0, source);
        using var coordinator = NewCoordinator([input]);
        coordinator.Start();

        File.WriteAllText(LockFile, "");
        _time.Advance(LockFilePoller.Interval - TimeSpan.FromMilliseconds(1));
        Assert.False(coordinator.Status.Paused);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(coordinator.Status.Paused);

        File.Delete(LockFile);
        _time.Advance(LockFilePoller.Interval - TimeSpan.FromMilliseconds(1));
        Assert.True(coordinator.Status.Paused);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(coordinator.Status.Paused);
    }

    [Fact]
    public async Task A_given_watch_decides_when_to_look_and_each_look_decides_from_the_file_as_it_is_now()
    {
        var source = new HoldingSource();
        await using var input = NewInput(0, source);
        var watch = new FakeWatch();
        var coordinator = new PauseCoordinator([input], LockFile, TimeSpan.FromMinutes(10), _time, NullLogger.Instance) { Watch = watch.Start };
        coordinator.Start();
        Assert.Equal(LockFile, watch.LockFile);

        // No look without the watch asking: no timer looks behind its back.
        File.WriteAllText(LockFile, "");
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(coordinator.Status.Paused);

        watch.LookAgain!();
        Assert.Equal(("file", true), (coordinator.Status.Source, input.IsPausedExternally));

        // Level-triggered: a look after a create and delete finds no file, whatever the events were.
        File.Delete(LockFile);
        File.WriteAllText(LockFile, "");
        File.Delete(LockFile);
        watch.LookAgain();
        Assert.Equal((false, false), (coordinator.Status.Paused, input.IsPausedExternally));

        coordinator.Dispose();
        Assert.True(watch.Disposed);
        File.WriteAllText(LockFile, "");
        watch.LookAgain();
        Assert.False(coordinator.Status.Paused);
    }

    [Fact]
    public async Task Nothing_is_timed_while_not_paused_and_the_warning_timer_runs_only_during_a_pause()
    {
        var clock = new ArmedTimersClock();
        var source = new HoldingSource();
        await using var input = NewInput(0, source);
        var watch = new FakeWatch();
        using (var none = new PauseCoordinator([input], null, TimeSpan.FromMinutes(10), clock, NullLogger.Instance) { Watch = watch.Start })
        {
            none.Start();
            Assert.Equal((0, (string?)null), (clock.Created, watch.LockFile));
        }

        using var coordinator = new PauseCoordinator([input], LockFile, TimeSpan.FromMinutes(10), clock, NullLogger.Instance) { Watch = watch.Start };
        coordinator.Start();
        Assert.Equal(0, clock.Armed);

        coordinator.SetHttpPaused(true);
        Assert.Equal(1, clock.Armed);
        File.WriteAllText(LockFile, "");
        watch.LookAgain!();
        coordinator.SetHttpPaused(false);
        Assert.Equal(1, clock.Armed);
        File.Delete(LockFile);
        watch.LookAgain();
        Assert.False(coordinator.Status.Paused);
        Assert.Equal(0, clock.Armed);
    }

    [Fact]
    public async Task The_long_pause_warning_counts_from_the_start_of_each_pause()
    {
        var source = new HoldingSource();
        await using var input = NewInput(0, source);
        var logger = new CountingLogger();
        using var coordinator = NewCoordinator([input], logger, TimeSpan.FromSeconds(60));
        coordinator.Start();

        coordinator.SetHttpPaused(true);
        _time.Advance(TimeSpan.FromSeconds(50));
        coordinator.SetHttpPaused(false);
        coordinator.SetHttpPaused(true);
        _time.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(0, logger.Warnings);
        Assert.Null(coordinator.Status.Warning);

        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(1, logger.Warnings);
        Assert.Contains("paused for 61 s", coordinator.Status.Warning, StringComparison.Ordinal);

        coordinator.SetHttpPaused(false);
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, logger.Warnings);
    }

    /// <summary>A watch the test drives: it keeps the look it was given.</summary>
    private sealed class FakeWatch : IDisposable
    {
        public string? LockFile { get; private set; }

        public Action? LookAgain { get; private set; }

        public bool Disposed { get; private set; }

        public FakeWatch Start(string lockFile, Action lookAgain)
        {
            LockFile = lockFile;
            LookAgain = lookAgain;
            return this;
        }

        public void Dispose() => Disposed = true;
    }

    /// <summary>A fake clock that knows how many of its timers are armed (due or periodic; a one-shot timer that fired still counts).</summary>
    private sealed class ArmedTimersClock : FakeTimeProvider
    {
        private readonly List<Timer> _timers = [];

        public int Created => _timers.Count;

        public int Armed => _timers.Count(t => t.IsArmed);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new Timer(base.CreateTimer(callback, state, dueTime, period), dueTime, period);
            _timers.Add(timer);
            return timer;
        }

        private sealed class Timer(ITimer inner, TimeSpan dueTime, TimeSpan period) : ITimer
        {
            private bool _disposed;

            public bool IsArmed => !_disposed && (dueTime != Timeout.InfiniteTimeSpan || period != Timeout.InfiniteTimeSpan);

            public bool Change(TimeSpan dueTime1, TimeSpan period1)
            {
                (dueTime, period) = (dueTime1, period1);
                return inner.Change(dueTime1, period1);
            }

            public void Dispose()
            {
                _disposed = true;
                inner.Dispose();
            }

            public ValueTask DisposeAsync()
            {
                Dispose();
                return ValueTask.CompletedTask;
            }
        }
    }

    private sealed class CountingLogger : ILogger
    {
        public int Warnings { get; private set; }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                Warnings++;
            }
        }
    }
}
