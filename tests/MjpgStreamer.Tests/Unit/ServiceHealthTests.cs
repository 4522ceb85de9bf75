using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Hosting;
using MjpgStreamer.Plugins;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Unit;

/// <summary>What withholds the systemd watchdog: a silent loop past its bound, a source that does not let go, a dead output.</summary>
public sealed class ServiceHealthTests
{
    private static string? Find(CameraStream input, TimeProvider time, IOutput? output = null) =>
        ServiceHealth.FindProblem([input], output is null ? [] : [output], time);

    [Fact]
    public async Task A_loop_silent_past_its_bound_and_the_margin_is_hung_and_any_sign_of_life_clears_it()
    {
        var clock = new WatchedClock();
        var source = new HandFedSource();
        await using var input = new CameraStream(0, "input_test.so", "", source, clock, NullLogger.Instance);
        input.Start();
        await source.Running.WaitAsync(Eventually.DefaultTimeout);

        // No bound declared (waiting for a viewer, a new file): never hung, however long.
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Null(Find(input, clock));

        input.Context.BeatWithin = TimeSpan.FromSeconds(1);
        clock.Advance(TimeSpan.FromSeconds(1) + ServiceHealth.Margin);
        Assert.Null(Find(input, clock));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("input 0 (input_test.so): its loop gave no sign of life for 12 s", Find(input, clock));

        // A no-signal retry (the same state again) is a sign of life; so is a frame.
        input.Context.SetState(InputState.NoSignal, "camera away");
        Assert.Null(Find(input, clock));
        clock.Advance(TimeSpan.FromSeconds(12));
        Assert.NotNull(Find(input, clock));
        input.Context.SetState(InputState.NoSignal, "camera away");
        Assert.Null(Find(input, clock));
        clock.Advance(TimeSpan.FromSeconds(12));
        source.Publish(1);
        Assert.Null(Find(input, clock));
    }

    [Fact]
    public async Task A_paused_input_is_not_judged_but_a_source_that_does_not_let_go_is_hung()
    {
        var clock = new WatchedClock();
        var source = new StubbornSource();
        await using var input = new CameraStream(0, "input_test.so", "", source, clock, NullLogger.Instance);
        input.Start();
        await source.Running.Task.WaitAsync(Eventually.DefaultTimeout);
        input.Context.BeatWithin = TimeSpan.FromSeconds(1);

        input.SetPaused(true, "test");
        await Eventually.UntilAsync(() => input.LettingGoSince is not null, "the input asked its source to let go");
        clock.Advance(ServiceHealth.LetGoLimit);
        Assert.Null(Find(input, clock));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("input 0 (input_test.so): the source has not let go for 11 s", Find(input, clock));

        // Let go at last: released, no loop runs, nothing to judge however long the pause lasts.
        source.Release.TrySetResult();
        await input.Context.WaitForStateAsync(InputState.Released, CancellationToken.None).WaitAsync(Eventually.DefaultTimeout);
        await Eventually.UntilAsync(() => input.LettingGoSince is null, "the run ended");
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Null(Find(input, clock));
    }

    [Fact]
    public async Task An_output_that_no_longer_serves_withholds_the_watchdog()
    {
        var clock = new WatchedClock();
        var source = new HandFedSource();
        await using var input = new CameraStream(0, "input_test.so", "", source, clock, NullLogger.Instance);
        var output = new FakeOutput();
        Assert.Null(Find(input, clock, output));
        output.Alive = false;
        Assert.Equal("output 0 (output_test.so) no longer serves", Find(input, clock, output));
    }

    /// <summary>A source that ignores its cancellation until the test releases it: a device stuck in the kernel.</summary>
    private sealed class StubbornSource : IFrameSource
    {
        public TaskCompletionSource Running { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string DisplayName => "stubborn test input";

        public async Task RunAsync(SourceContext context, CancellationToken cancellation)
        {
            Running.TrySetResult();
            await Release.Task;
        }
    }

    private sealed class FakeOutput : IOutput
    {
        public bool Alive { get; set; } = true;

        public int Id => 0;

        public string Plugin => "output_test.so";

        public string Args => "";

        public string DisplayName => "test output";

        public bool IsAlive => Alive;

        public Task StartAsync(CancellationToken cancellation) => Task.CompletedTask;

        public Task StopAsync() => Task.CompletedTask;

        public void WriteState(Utf8JsonWriter writer)
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
