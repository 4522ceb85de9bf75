using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MjpgStreamer.Http;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.InProcess;

/// <summary>
/// The HTTP output's time-outs, hosted in the test process with a hand-fed input and a fake clock: each
/// test publishes its frames and advances the clock itself, so the 30 s stall drop, the 3 s snapshot wait,
/// the still budget and the pause keep-alive are checked to the tick and take milliseconds. Only the idle
/// close runs on the real clock (Kestrel's heartbeat cannot take a fake one).
/// </summary>
public sealed class InProcessHttpTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_stream_client_that_accepts_no_data_is_dropped_at_30_s_not_before_and_never_slows_a_reading_one()
    {
        await using var server = await InProcessServer.StartAsync();
        using var stalled = new TcpClient { ReceiveBufferSize = 4096 };
        await stalled.ConnectAsync(IPAddress.Loopback, server.Port);
        await stalled.GetStream().WriteAsync("GET /?action=stream HTTP/1.0\r\n\r\n"u8.ToArray());
        var stalledRemote = "127.0.0.1:" + ((IPEndPoint)stalled.Client.LocalEndPoint!).Port.ToString(CultureInfo.InvariantCulture);
        StreamClient? Stalled() => server.Output.Clients.Current.FirstOrDefault(c => c.Remote == stalledRemote);
        await Eventually.UntilAsync(() => Stalled() is not null, "the stalled client is listed");
        await using var reader = await MjpegClient.ConnectAsync(server.Port);

        // Every frame published reaches the reading client before the next one is published: it is never held back.
        var number = 0;
        async Task PublishAndReadAsync()
        {
            var sent = server.Source.Publish(++number, 256 * 1024);
            var part = await reader.NextAsync(Bound);
            Assert.Equal(number, HandFedSource.Number(part.Jpeg));
            Assert.Equal(sent, part.Jpeg);
        }

        // Frames until the stalled client's socket buffers are full: its write stays pending, its byte count still.
        var steady = 0;
        var bytes = -1L;
        while (steady < 10)
        {
            Assert.True(number < 1000, "the stalled client kept accepting data");
            await PublishAndReadAsync();
            var client = Stalled()!;
            steady = client.WriteStartedAt != 0 && client.BytesSent == bytes ? steady + 1 : 0;
            bytes = client.BytesSent;
        }

        var stalledClient = Stalled()!;
        for (var second = 1; second < 30; second++)
        {
            server.Time.Advance(OneSecond);
            await PublishAndReadAsync();
        }

        Assert.Contains(stalledClient, server.Output.Clients.Current);
        Assert.False(stalledClient.Context.RequestAborted.IsCancellationRequested, "dropped before 30 s");

        server.Time.Advance(OneSecond);
        await Eventually.UntilAsync(() => server.Output.Clients.Current.Count == 1, "the stalled client is dropped at 30 s");
        Assert.DoesNotContain(stalledClient, server.Output.Clients.Current);
        await AssertClosedAsync(stalled);
        await PublishAndReadAsync();
    }

    [Fact]
    public async Task A_snapshot_answers_the_first_frame_taken_within_3_s_after_the_request()
    {
        await using var server = await InProcessServer.StartAsync();
        server.Source.Publish(1);
        var request = RawHttp.GetResponseAsync(server.Port, "/?action=snapshot");
        await Eventually.UntilAsync(() => server.Input.Hub.Demand == 1, "the snapshot waits for a frame");

        server.Time.Advance(SnapshotEndpoint.SnapshotWait - TimeSpan.FromMilliseconds(100));
        var fresh = server.Source.Publish(2);

        var answer = await request;
        Assert.Equal(200, answer.Status);
        Assert.Equal(fresh, answer.Body);
        Assert.Null(answer.Header("X-Frame-Age"));
    }

    [Fact]
    public async Task A_snapshot_without_a_new_frame_for_3_s_answers_the_last_one_with_its_age()
    {
        await using var server = await InProcessServer.StartAsync();
        var last = server.Source.Publish(1);
        var taken = server.Time.GetUtcNow();
        server.Time.Advance(TimeSpan.FromSeconds(5));
        var request = RawHttp.GetResponseAsync(server.Port, "/?action=snapshot");
        await Eventually.UntilAsync(() => server.Input.Hub.Demand == 1, "the snapshot waits for a frame");

        server.Time.Advance(SnapshotEndpoint.SnapshotWait);

        var answer = await request;
        Assert.Equal(200, answer.Status);
        Assert.Equal(last, answer.Body);
        Assert.Equal("8.000", answer.Header("X-Frame-Age"));
        Assert.Equal(taken, Http.HttpBehaviourTests.ParseTimestamp(answer.Header("X-Timestamp")!));
    }

    [Fact]
    public async Task A_snapshot_of_an_input_that_never_had_a_frame_is_503_after_3_s()
    {
        await using var server = await InProcessServer.StartAsync();
        var request = RawHttp.GetResponseAsync(server.Port, "/?action=snapshot");
        await Eventually.UntilAsync(() => server.Input.Hub.Demand == 1, "the snapshot waits for a frame");

        server.Time.Advance(SnapshotEndpoint.SnapshotWait);

        var answer = await request;
        Assert.Equal(503, answer.Status);
        Assert.Equal("503: Service Unavailable!\r\nno frame from input 0: the input has not produced a frame yet", answer.BodyText);
    }

    [Fact]
    public async Task While_paused_a_stream_client_gets_the_last_frame_again_once_a_second_and_live_frames_after_the_resume()
    {
        await using var server = await InProcessServer.StartAsync();
        await using var client = await MjpegClient.ConnectAsync(server.Port);
        var live = server.Source.Publish(1);
        var first = await client.NextAsync(Bound);
        Assert.Equal(live, first.Jpeg);
        var ticks = server.Time.TimersCreated(OneSecond);

        var paused = await RawHttp.GetResponseAsync(server.Port, "/?action=pause&wait=1");
        Assert.Equal(200, paused.Status);
        Assert.Contains("\"state\":\"released\"", paused.BodyText, StringComparison.Ordinal);

        // One keep-alive at once, then one for each second of the clock: the same picture with its capture time.
        for (var second = 0; second <= 3; second++)
        {
            if (second > 0)
            {
                await Eventually.UntilAsync(() => server.Time.TimersCreated(OneSecond) >= ticks + second, "the keep-alive waits for its next second");
                server.Time.Advance(OneSecond);
            }

            var again = await client.NextAsync(Bound);
            Assert.Equal(live, again.Jpeg);
            Assert.Equal(first.Headers["X-Timestamp"], again.Headers["X-Timestamp"]);
        }

        // A paused input has no fresh frame to wait for: the snapshot is the last one, at once, with its age.
        var snapshot = await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot");
        Assert.Equal((200, "3.000"), (snapshot.Status, snapshot.Header("X-Frame-Age")));

        var resumed = await RawHttp.GetResponseAsync(server.Port, "/?action=resume");
        Assert.Equal(200, resumed.Status);
        await server.Source.Running.WaitAsync(Bound);
        var back = server.Source.Publish(2);
        Assert.Equal(back, (await client.NextMatchingAsync(p => HandFedSource.Number(p.Jpeg) == 2, Bound)).Jpeg);
    }

    [Fact]
    public async Task A_still_that_never_completes_is_503_with_the_reason_once_the_still_budget_is_spent()
    {
        await using var server = await InProcessServer.StartAsync();
        var request = RawHttp.GetResponseAsync(server.Port, "/?action=still");
        var still = await server.Source.StillAsked.WaitAsync(Bound);

        server.Time.Advance(StillEndpoint.StillWait - TimeSpan.FromMilliseconds(1));
        Assert.False(still.IsCancellationRequested, "given up before the budget was spent");
        server.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(still.IsCancellationRequested, "not given up when the budget was spent");

        var answer = await request;
        Assert.Equal(503, answer.Status);
        Assert.Equal("503: Service Unavailable!\r\nno still from input 0 within 3.5 s", answer.BodyText);
    }

    [Fact]
    public async Task A_still_says_how_long_it_took()
    {
        await using var server = await InProcessServer.StartAsync();
        var request = RawHttp.GetResponseAsync(server.Port, "/?action=still");
        await server.Source.StillAsked.WaitAsync(Bound);

        server.Time.Advance(TimeSpan.FromMilliseconds(1250));
        var jpeg = HandFedSource.Jpeg(42, 10_000);
        server.Source.CompleteStill(jpeg);

        var answer = await request;
        Assert.Equal(200, answer.Status);
        Assert.Equal(jpeg, answer.Body);
        Assert.Equal("1250", answer.Header("X-Still-Ms"));
    }

    [Fact]
    public async Task A_connection_that_sends_no_complete_request_is_closed_within_10_s()
    {
        // Real clock: Kestrel's request-headers and keep-alive time-outs run on its own heartbeat thread with
        // the system clock, which no TimeProvider in the container replaces.
        await using var server = await InProcessServer.StartAsync();
        var watch = Stopwatch.StartNew();
        var answer = await RawHttp.SendAsync(server.Port, "GET /?action=snapshot HTTP/1.1\r\nHost: 127.0.0.1\r\n"u8.ToArray(), TimeSpan.FromSeconds(20));
        var elapsed = watch.Elapsed;

        Assert.InRange(elapsed, TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(10.5));
        // Kestrel answers the half-sent request with its own 408 before it closes (an idle connection gets nothing).
        Assert.StartsWith("HTTP/1.1 408 Request Timeout\r\n", System.Text.Encoding.ASCII.GetString(answer), StringComparison.Ordinal);
    }

    /// <summary>Reads what is left until the server's end (close or reset), within the bound.</summary>
    private static async Task AssertClosedAsync(TcpClient client)
    {
        using var bound = new CancellationTokenSource(Bound);
        var buffer = new byte[64 * 1024];
        try
        {
            while (await client.GetStream().ReadAsync(buffer, bound.Token) > 0)
            {
            }
        }
        catch (IOException)
        {
            // Reset by the server: closed too.
        }
    }
}
