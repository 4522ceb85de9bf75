using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using MjpgStreamer.Tests.Infrastructure;
using MjpgStreamer.Tools;

namespace MjpgStreamer.Tests.Tools;

/// <summary>Reading /state and the time limit, in-process: a fake HTTP handler and a fake clock.</summary>
public sealed class PauseLogicTests : IDisposable
{
    private static readonly Uri Source = new("http://127.0.0.1:8080/state");

    private readonly string _folder = Directory.CreateTempSubdirectory("mjpg-pause-logic-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void State_inputs_are_read_and_unknown_fields_ignored()
    {
        var inputs = ServerStateClient.Parse(StubStateServer.StateJson(("input_uvc.so", "paused", null, "file+http"), ("input_file.so", "no_signal", "folder is empty", null)), Source);

        Assert.Equal(
            [new InputStatus(0, "input_uvc.so", "paused", null, "file+http"), new InputStatus(1, "input_file.so", "no_signal", "folder is empty", null)],
            inputs);
    }

    [Fact]
    public void An_input_without_id_or_plugin_is_named_by_its_place()
    {
        var inputs = ServerStateClient.Parse("{\"inputs\": [{\"state\": \"released\"}, {\"id\": \"x\", \"state\": \"starting\", \"reason\": 5}]}", Source);

        Assert.Equal([new InputStatus(0, null, "released", null, null), new InputStatus(1, null, "starting", null, null)], inputs);
        Assert.Equal("input 1 is starting", inputs[1].Describe());
    }

    [Fact]
    public void No_inputs_at_all_is_an_empty_list()
    {
        Assert.Empty(ServerStateClient.Parse("{\"inputs\": []}", Source));
    }

    [Theory]
    [InlineData("", "did not answer valid JSON")]
    [InlineData("[1, 2]", "without an \"inputs\" list")]
    [InlineData("{\"inputs\": {}}", "without an \"inputs\" list")]
    [InlineData("{\"inputs\": [{\"state\": 1}]}", "an input without a \"state\" (input 0)")]
    [InlineData("{\"inputs\": [7]}", "an input without a \"state\" (input 0)")]
    public void A_wrong_answer_is_a_failure_naming_the_address(string json, string expected)
    {
        var error = Assert.Throws<ToolFailureException>(() => ServerStateClient.Parse(json, Source));
        Assert.StartsWith("http://127.0.0.1:8080/state ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_description_stays_on_one_line_whatever_the_server_says()
    {
        var input = new InputStatus(3, "input_uvc.so", "no_signal", "line one\nline two\r\n", "http");
        Assert.Equal("input 3 (input_uvc.so) is no_signal (pause source: http): line one line two", input.Describe());
    }

    [Fact]
    public async Task The_time_limit_covers_a_server_that_never_answers()
    {
        var time = new FakeTimeProvider();
        using var handler = new Handler(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("not reached");
        });
        var options = Options(TimeSpan.FromSeconds(3));

        var pause = PauseCommand.RunAsync(PauseVerb.Pause, options, time, handler);
        await handler.FirstRequest.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(File.Exists(options.PauseFile));
        time.Advance(TimeSpan.FromSeconds(2.9));
        Assert.False(pause.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.1));

        var error = await Assert.ThrowsAsync<ToolFailureException>(() => pause.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("timed out after 3 s waiting for an answer from http://127.0.0.1:8080/state", error.Message);
        Assert.False(File.Exists(options.PauseFile));
    }

    [Fact]
    public async Task Polling_goes_on_every_20_ms_until_the_time_limit_then_names_the_last_states()
    {
        var time = new WatchedClock();
        var answered = 0;
        using var handler = new Handler((_, _) =>
        {
            Interlocked.Increment(ref answered);
            return Task.FromResult(JsonAnswer(StubStateServer.StateJson(("input_uvc.so", "released", null), ("input_uvc.so", "paused", null))));
        });
        var options = Options(TimeSpan.FromSeconds(1));

        var pause = PauseCommand.RunAsync(PauseVerb.Pause, options, time, handler);
        await handler.FirstRequest.WaitAsync(TimeSpan.FromSeconds(10));

        // Step the clock in poll-sized steps up to the limit, each once the command has armed its next poll.
        for (var step = 0; step < 50 && !pause.IsCompleted; step++)
        {
            await Eventually.UntilAsync(() => pause.IsCompleted || time.TimersCreated(PauseCommand.PollInterval) > step, "the next poll is armed");
            time.Advance(PauseCommand.PollInterval);
        }

        var error = await Assert.ThrowsAsync<ToolFailureException>(() => pause.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("timed out after 1 s, not released: input 1 (input_uvc.so) is paused", error.Message);
        Assert.InRange(answered, 2, 51);
        Assert.False(File.Exists(options.PauseFile));
    }

    [Fact]
    public async Task Resume_is_done_as_soon_as_every_input_streams()
    {
        var time = new FakeTimeProvider();
        var options = Options(TimeSpan.FromSeconds(5));
        await File.WriteAllTextAsync(options.PauseFile, "");
        using var handler = new Handler((request, _) =>
        {
            Assert.Equal("Basic dTpw", request.Headers.Authorization?.ToString());
            return Task.FromResult(JsonAnswer(StubStateServer.StateJson(("input_uvc.so", "streaming", null))));
        });

        await PauseCommand.RunAsync(PauseVerb.Resume, options with { BaseUrl = new Uri("http://u:p@127.0.0.1:8080/") }, time, handler)
            .WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(File.Exists(options.PauseFile));
    }

    private static HttpResponseMessage JsonAnswer(string json) =>
        new(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private ToolOptions Options(TimeSpan timeout) =>
        new(Path.Combine(_folder, "paused.lock"), new Uri("http://127.0.0.1:8080/"), timeout, Help: false);

    private sealed class Handler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
    {
        private readonly TaskCompletionSource _firstRequest = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task FirstRequest => _firstRequest.Task;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            _firstRequest.TrySetResult();
            return answer(request, cancellationToken);
        }
    }
}
