using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Sources;
using MjpgStreamer.Native.Tests.TestSupport;

namespace MjpgStreamer.Native.Tests.Sources;

/// <summary>input_http's source on a fake clock: the reconnect backoff with NO SIGNAL pictures between tries, and -timeout.</summary>
public sealed class HttpSourceTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task An_upstream_that_hangs_up_is_tried_again_after_1_2_4_8_10_10_seconds_with_no_signal_pictures_each_second()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepts = 0;
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(stop.Token);
                Interlocked.Increment(ref accepts);
            }
        });

        var time = new WatchedClock();
        var source = new HttpSource(UpstreamUrl.FromHostAndPort("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port));
        await using var run = new SourceRun(source, time, new ListLogger());
        await run.WaitForStateAsync(InputState.NoSignal, $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}: the server closed the connection without an answer");

        // Each second of a backoff is one armed 1 s delay and one NO SIGNAL picture; a try follows the last.
        var ticks = 0;
        var expectedAccepts = 1;
        byte[]? placeholder = null;
        foreach (var backoff in new[] { 1, 2, 4, 8, 10, 10 })
        {
            for (var second = 0; second < backoff; second++)
            {
                await Eventually.UntilAsync(() => time.TimersCreated(Second) == ticks + 1, () => "the source armed its next 1 s wait");
                Assert.Equal(expectedAccepts, Volatile.Read(ref accepts));
                var picture = await run.NextAsync();
                Assert.Equal(placeholder ??= picture, picture);
                time.Advance(Second);
                ticks++;
            }

            expectedAccepts++;
            await Eventually.UntilAsync(() => Volatile.Read(ref accepts) == expectedAccepts, () => $"try {expectedAccepts} after {backoff} s");
        }

        Assert.Equal(InputState.NoSignal, run.Context.State);
        await run.StopAsync();
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => accepting);
    }

    [Fact]
    public async Task An_upstream_silent_for_the_timeout_counts_as_lost()
    {
        var jpeg = TestJpegs.Frames[0];
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var clients = new ConcurrentBag<TcpClient>();
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(async () =>
        {
            // One frame, then nothing (the connection stays open).
            var client = await listener.AcceptTcpClientAsync(stop.Token);
            clients.Add(client);
            var head = Encoding.ASCII.GetBytes($"HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=b\r\n\r\n--b\r\nContent-Type: image/jpeg\r\nContent-Length: {jpeg.Length}\r\n\r\n");
            await client.GetStream().WriteAsync(head.Concat(jpeg).Concat("\r\n"u8.ToArray()).ToArray(), stop.Token);
        });

        var time = new WatchedClock();
        var source = new HttpSource(UpstreamUrl.FromHostAndPort("127.0.0.1", port), timeoutSeconds: 3);
        await using var run = new SourceRun(source, time, new ListLogger());
        Assert.Equal(jpeg, await run.NextAsync());
        await run.WaitForStateAsync(InputState.Streaming);
        await serving;

        time.Advance(TimeSpan.FromSeconds(2.9));
        Assert.Equal(InputState.Streaming, run.Context.State);
        time.Advance(TimeSpan.FromSeconds(0.1));
        await run.WaitForStateAsync(InputState.NoSignal, $"no frame from 127.0.0.1:{port} for 3 s");

        await run.StopAsync();
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    /// <summary>A fake clock that counts the timers created per due time, so a test advances only once the source waits.</summary>
    private sealed class WatchedClock : FakeTimeProvider
    {
        private readonly ConcurrentDictionary<TimeSpan, int> _created = new();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            _created.AddOrUpdate(dueTime, 1, static (_, count) => count + 1);
            return timer;
        }

        public int TimersCreated(TimeSpan dueTime) => _created.GetValueOrDefault(dueTime);
    }
}
