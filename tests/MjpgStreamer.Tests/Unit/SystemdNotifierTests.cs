using Microsoft.Extensions.Logging.Abstractions;
using MjpgStreamer.Hosting;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Unit;

/// <summary>The notify protocol on a fake clock and a real datagram socket: READY, WATCHDOG while healthy, STOPPING.</summary>
public sealed class SystemdNotifierTests
{
    private const int Pid = 4242;
    private static readonly TimeSpan Half = TimeSpan.FromSeconds(5);

    private static Dictionary<string, string?> Environment(NotifyListener listener, string? watchdogUsec = "10000000", string? watchdogPid = null) => new()
    {
        ["NOTIFY_SOCKET"] = listener.Address,
        ["WATCHDOG_USEC"] = watchdogUsec,
        ["WATCHDOG_PID"] = watchdogPid,
    };

    private static SystemdNotifier Create(Dictionary<string, string?> environment, WatchedClock clock, Func<string?> problem) =>
        SystemdNotifier.FromEnvironment(name => environment.GetValueOrDefault(name), Pid, clock, problem, NullLogger.Instance)
        ?? throw new InvalidOperationException("no notifier");

    [Fact]
    public void Without_NOTIFY_SOCKET_there_is_no_notifier()
    {
        var clock = new WatchedClock();
        Assert.Null(SystemdNotifier.FromEnvironment(_ => null, Pid, clock, () => null, NullLogger.Instance));
        Assert.Null(SystemdNotifier.FromEnvironment(name => name == "WATCHDOG_USEC" ? "1000000" : null, Pid, clock, () => null, NullLogger.Instance));
        Assert.Null(SystemdNotifier.FromEnvironment(name => name == "NOTIFY_SOCKET" ? "vsock:2:1234" : null, Pid, clock, () => null, NullLogger.Instance));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Ready_then_a_watchdog_every_half_of_WATCHDOG_USEC_while_healthy_then_stopping(bool @abstract)
    {
        using var listener = @abstract ? NotifyListener.Abstract() : NotifyListener.AtPath();
        var clock = new WatchedClock();
        using var notifier = Create(Environment(listener), clock, () => null);
        Assert.Equal(Half, notifier.WatchdogInterval);

        notifier.Ready("streaming 1 input on http://127.0.0.1:8080/");
        Assert.Equal("READY=1\nSTATUS=streaming 1 input on http://127.0.0.1:8080/\n", await listener.ReceiveAsync());
        Assert.Equal("WATCHDOG=1\n", await listener.ReceiveAsync());
        Assert.Equal(1, clock.TimersCreated(Half));

        for (var i = 0; i < 3; i++)
        {
            clock.Advance(Half);
            Assert.Equal("WATCHDOG=1\n", await listener.ReceiveAsync());
        }

        notifier.Stopping();
        Assert.Equal("STOPPING=1\n", await listener.ReceiveAsync());

        // The watchdog ended with the stop: the next message after more time is the one the test sends itself.
        clock.Advance(Half * 3);
        using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Unspecified);
        probe.SendTo("probe"u8.ToArray(), new System.Net.Sockets.UnixDomainSocketEndPoint(@abstract ? "\0" + listener.Address[1..] : listener.Address));
        Assert.Equal("probe", await listener.ReceiveAsync());
    }

    [Fact]
    public async Task A_problem_withholds_the_watchdog_until_it_clears()
    {
        using var listener = NotifyListener.AtPath();
        var clock = new WatchedClock();
        string? problem = null;
        using var notifier = Create(Environment(listener), clock, () => problem);
        notifier.Ready("streaming");
        await listener.ReceiveUntilAsync("WATCHDOG=1");

        problem = "input 0 (input_uvc.so): its loop gave no sign of life for 20 s";
        clock.Advance(Half);
        Assert.Equal($"STATUS=watchdog withheld: {problem}\n", await listener.ReceiveAsync());

        // Withheld: nothing on the next ticks (the message after them is the recovery's).
        clock.Advance(Half);
        clock.Advance(Half);
        problem = null;
        clock.Advance(Half);
        Assert.Equal("WATCHDOG=1\nSTATUS=healthy again\n", await listener.ReceiveAsync());
        clock.Advance(Half);
        Assert.Equal("WATCHDOG=1\n", await listener.ReceiveAsync());
    }

    [Theory]
    [InlineData("10000000", "1")]
    [InlineData("0", null)]
    [InlineData("junk", null)]
    public async Task No_watchdog_for_another_pid_or_without_a_period_but_ready_and_stopping_still(string watchdogUsec, string? watchdogPid)
    {
        using var listener = NotifyListener.AtPath();
        var clock = new WatchedClock();
        using var notifier = Create(Environment(listener, watchdogUsec, watchdogPid), clock, () => null);
        Assert.Null(notifier.WatchdogInterval);
        notifier.Ready("streaming");
        Assert.Equal("READY=1\nSTATUS=streaming\n", await listener.ReceiveAsync());
        clock.Advance(TimeSpan.FromMinutes(1));
        notifier.Stopping();
        Assert.Equal("STOPPING=1\n", await listener.ReceiveAsync());
        Assert.Equal(0, clock.TimersCreated(Half));
    }

    [Fact]
    public void WATCHDOG_PID_of_this_process_keeps_the_watchdog()
    {
        using var listener = NotifyListener.AtPath();
        using var notifier = Create(Environment(listener, "3000000", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)), new WatchedClock(), () => null);
        Assert.Equal(TimeSpan.FromSeconds(1.5), notifier.WatchdogInterval);
    }
}
