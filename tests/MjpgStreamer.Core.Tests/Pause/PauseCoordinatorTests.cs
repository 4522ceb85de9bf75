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
        _time.Advance(PauseCoordinator.PollInterval);
        Assert.Equal(("file", true, true), (coordinator.Status.Source, first.IsPausedExternally, second.IsPausedExternally));
        Assert.Equal(_time.GetUtcNow(), coordinator.Status.Since);
        await WaitForAsync(first, InputState.Released);
        await WaitForAsync(second, InputState.Released);
        Assert.Equal("lock file " + LockFile, first.Context.Reason);

        File.Delete(LockFile);
        _time.Advance(PauseCoordinator.PollInterval);
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
        _time.Advance(PauseCoordinator.PollInterval);
        await WaitForAsync(input, InputState.Released);

        // An HTTP resume does not lift the file's pause.
        coordinator.SetHttpPaused(true);
        Assert.Equal("file+http", coordinator.Status.Source);
        coordinator.SetHttpPaused(false);
        Assert.Equal(("file", true), (coordinator.Status.Source, input.IsPausedExternally));

        // Removing the file does not lift the HTTP pause.
        coordinator.SetHttpPaused(true);
        File.Delete(LockFile);
        _time.Advance(PauseCoordinator.PollInterval);
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
