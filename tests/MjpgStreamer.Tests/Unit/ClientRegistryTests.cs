using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MjpgStreamer.Http;

namespace MjpgStreamer.Tests.Unit;

/// <summary>The stall watchdog on its own: a client whose write has been pending 30 s is aborted, never one a tick earlier.</summary>
public sealed class ClientRegistryTests
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    private sealed class AbortRecorder : IHttpRequestLifetimeFeature
    {
        public CancellationToken RequestAborted { get; set; }

        public int Aborts { get; private set; }

        public void Abort() => Aborts++;
    }

    private static (StreamClient Client, AbortRecorder Lifetime) NewClient(TimeProvider time, int port)
    {
        var context = new DefaultHttpContext();
        var lifetime = new AbortRecorder();
        context.Features.Set<IHttpRequestLifetimeFeature>(lifetime);
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        context.Connection.RemotePort = port;
        return (new StreamClient(context, "/?action=stream", time), lifetime);
    }

    [Fact]
    public void A_write_pending_for_30_s_is_aborted_at_30_s_and_not_before()
    {
        var time = new FakeTimeProvider();
        using var registry = new ClientRegistry(time, NullLogger.Instance);
        var (client, lifetime) = NewClient(time, 5000);
        registry.Add(client);
        client.WriteStarted(time.GetTimestamp());

        time.Advance(ClientRegistry.StallLimit - OneSecond);
        Assert.Equal(0, lifetime.Aborts);

        time.Advance(OneSecond);
        Assert.Equal(1, lifetime.Aborts);
        Assert.Equal("127.0.0.1:5000", client.Remote);
    }

    [Fact]
    public void The_limit_counts_from_the_start_of_the_pending_write_not_from_the_connection()
    {
        var time = new FakeTimeProvider();
        using var registry = new ClientRegistry(time, NullLogger.Instance);
        var (client, lifetime) = NewClient(time, 5001);
        registry.Add(client);

        // A minute of writes that each complete within the second.
        for (var second = 0; second < 60; second++)
        {
            client.WriteStarted(time.GetTimestamp());
            time.Advance(OneSecond);
            client.FrameSent(1000);
        }

        Assert.Equal(0, lifetime.Aborts);
        client.WriteStarted(time.GetTimestamp());
        time.Advance(ClientRegistry.StallLimit - OneSecond);
        Assert.Equal(0, lifetime.Aborts);
        time.Advance(OneSecond);
        Assert.Equal(1, lifetime.Aborts);
        Assert.Equal(60_000, client.BytesSent);
    }

    [Fact]
    public void A_client_waiting_for_a_frame_is_never_dropped_nor_one_already_removed()
    {
        var time = new FakeTimeProvider();
        using var registry = new ClientRegistry(time, NullLogger.Instance);
        var (idle, idleLifetime) = NewClient(time, 5002);
        var (gone, goneLifetime) = NewClient(time, 5003);
        registry.Add(idle);
        registry.Add(gone);
        gone.WriteStarted(time.GetTimestamp());
        registry.Remove(gone);

        time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal((0, 0), (idleLifetime.Aborts, goneLifetime.Aborts));
        Assert.Equal([idle], registry.Current);
    }

    [Fact]
    public void Once_disposed_the_watchdog_stops()
    {
        var time = new FakeTimeProvider();
        var registry = new ClientRegistry(time, NullLogger.Instance);
        var (client, lifetime) = NewClient(time, 5004);
        registry.Add(client);
        client.WriteStarted(time.GetTimestamp());
        registry.Dispose();

        time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(0, lifetime.Aborts);
    }
}
