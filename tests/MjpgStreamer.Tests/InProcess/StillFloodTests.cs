using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.InProcess;

/// <summary>
/// Stills bounded per input, on the fake clock: one being taken, one waiting, a third refused with 429 and
/// Retry-After; the next still starts no earlier than -still_interval of live frames after the last one.
/// </summary>
public sealed class StillFloodTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan OneMs = TimeSpan.FromMilliseconds(1);

    [Fact]
    public async Task A_third_still_at_once_is_429_with_Retry_After_and_the_second_waits_a_second_and_succeeds()
    {
        await using var server = await InProcessServer.StartAsync();
        var first = RawHttp.GetResponseAsync(server.Port, "/?action=still");
        await server.Source.StillAsked.WaitAsync(Bound);
        var second = RawHttp.GetResponseAsync(server.Port, "/?action=still");
        await Eventually.UntilAsync(() => server.Input.StillsAtOnce == 2, "the second still waits");

        var third = await RawHttp.GetResponseAsync(server.Port, "/?action=still");

        Assert.Equal(429, third.Status);
        Assert.Equal("2", third.Header("Retry-After"));
        Assert.Equal("429: Too Many Requests!\r\ninput 0 is busy with stills: a still is being taken and another one is waiting; retry after 2 s", third.BodyText);
        Assert.False(second.IsCompleted, "the waiting still was answered before the first");

        // The first is answered; the second starts a second later (nobody watches the stream: counted from the still's end).
        var oneSecondTimers = server.Time.TimersCreated(TimeSpan.FromSeconds(1));
        var jpeg1 = HandFedSource.Jpeg(101, 5000);
        server.Source.CompleteStill(jpeg1);
        Assert.Equal(jpeg1, (await first.WaitAsync(Bound)).Body);
        await Eventually.UntilAsync(() => server.Time.TimersCreated(TimeSpan.FromSeconds(1)) > oneSecondTimers, "the gap's timer is armed");
        var asked = server.Source.StillAsked;
        server.Time.Advance(TimeSpan.FromSeconds(1) - OneMs);
        Assert.False(asked.IsCompleted, "the second still started before the interval");

        // A request now is admitted again (one waiting at most, and the first is done).
        var fourth = RawHttp.GetResponseAsync(server.Port, "/?action=still");
        await Eventually.UntilAsync(() => server.Input.StillsAtOnce == 2, "the fourth still waits");
        Assert.False(asked.IsCompleted, "the second still started before the interval");

        server.Time.Advance(OneMs);
        await asked.WaitAsync(Bound);
        var jpeg2 = HandFedSource.Jpeg(102, 5000);
        oneSecondTimers = server.Time.TimersCreated(TimeSpan.FromSeconds(1));
        server.Source.CompleteStill(jpeg2);
        var answer = await second.WaitAsync(Bound);
        Assert.Equal(200, answer.Status);
        Assert.Equal(jpeg2, answer.Body);
        Assert.Equal("1000", answer.Header("X-Still-Ms"));

        // The fourth had to wait for the second; it is taken a second after it.
        await Eventually.UntilAsync(() => server.Time.TimersCreated(TimeSpan.FromSeconds(1)) > oneSecondTimers, "the gap's timer is armed");
        server.Time.Advance(TimeSpan.FromSeconds(1));
        await server.Source.StillAsked.WaitAsync(Bound);
        server.Source.CompleteStill(HandFedSource.Jpeg(104, 5000));
        Assert.Equal(200, (await fourth.WaitAsync(Bound)).Status);
    }

    [Fact]
    public async Task Between_two_stills_the_stream_gets_the_interval_of_live_frames_counted_from_the_first_live_frame()
    {
        var interval = TimeSpan.FromMilliseconds(1250);
        await using var server = await InProcessServer.StartAsync(stillInterval: interval);
        await using var client = await MjpegClient.ConnectAsync(server.Port);
        await Eventually.UntilAsync(() => server.Input.Hub.Demand > 0, "the stream client is subscribed");
        server.Source.Publish(1);
        await client.NextMatchingAsync(p => HandFedSource.Number(p.Jpeg) == 1, Bound);

        var first = RawHttp.GetResponseAsync(server.Port, "/?action=still");
        await server.Source.StillAsked.WaitAsync(Bound);
        var second = RawHttp.GetResponseAsync(server.Port, "/?action=still");
        await Eventually.UntilAsync(() => server.Input.StillsAtOnce == 2, "the second still waits");
        var resumeTimers = server.Time.TimersCreated(TimeSpan.FromSeconds(2));
        server.Source.CompleteStill(HandFedSource.Jpeg(101, 5000));
        Assert.Equal(200, (await first.WaitAsync(Bound)).Status);
        await Eventually.UntilAsync(() => server.Time.TimersCreated(TimeSpan.FromSeconds(2)) > resumeTimers, "the wait for live frames is armed");
        var asked = server.Source.StillAsked;

        // The input takes 1.5 s to stream again: longer than the interval, and no still is taken meanwhile.
        server.Time.Advance(TimeSpan.FromMilliseconds(1500));
        var live = new List<int>();
        var number = 1;
        async Task PublishAndReadAsync()
        {
            server.Source.Publish(++number);
            var part = await client.NextMatchingAsync(p => HandFedSource.Number(p.Jpeg) == number, Bound);
            live.Add(HandFedSource.Number(part.Jpeg));
        }

        await PublishAndReadAsync();
        await Eventually.UntilAsync(() => server.Time.TimersCreated(interval) > 0, "the gap's timer is armed");
        server.Time.Advance(TimeSpan.FromMilliseconds(500));
        await PublishAndReadAsync();
        server.Time.Advance(TimeSpan.FromMilliseconds(500));
        await PublishAndReadAsync();
        server.Time.Advance(TimeSpan.FromMilliseconds(250) - OneMs);
        Assert.False(asked.IsCompleted, "the second still started before the stream had its interval of live frames");

        server.Time.Advance(OneMs);
        await asked.WaitAsync(Bound);
        Assert.Equal("2 3 4", string.Join(" ", live));
        server.Source.CompleteStill(HandFedSource.Jpeg(102, 5000));
        Assert.Equal(200, (await second.WaitAsync(Bound)).Status);
    }

    [Fact]
    public async Task With_still_interval_0_the_waiting_still_starts_as_soon_as_the_first_ends()
    {
        await using var server = await InProcessServer.StartAsync(stillInterval: TimeSpan.Zero);
        var first = RawHttp.GetResponseAsync(server.Port, "/?action=still");
        await server.Source.StillAsked.WaitAsync(Bound);
        var second = RawHttp.GetResponseAsync(server.Port, "/?action=still");
        await Eventually.UntilAsync(() => server.Input.StillsAtOnce == 2, "the second still waits");

        server.Source.CompleteStill(HandFedSource.Jpeg(101, 5000));
        Assert.Equal(200, (await first.WaitAsync(Bound)).Status);

        // No clock tick: the second is taken at once.
        await server.Source.StillAsked.WaitAsync(Bound);
        server.Source.CompleteStill(HandFedSource.Jpeg(102, 5000));
        Assert.Equal(200, (await second.WaitAsync(Bound)).Status);
    }
}
