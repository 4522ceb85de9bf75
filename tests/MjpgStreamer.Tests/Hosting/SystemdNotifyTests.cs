using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Hosting;

/// <summary>The real executable under a fake systemd: NOTIFY_SOCKET and WATCHDOG_USEC as a Type=notify unit gets them.</summary>
public sealed class SystemdNotifyTests
{
    private static readonly string[] TestPattern = ["-i", "input_testpattern.so -r 160x120 -f 10", "-o", "output_http.so -p 0 -l 127.0.0.1"];

    private static Dictionary<string, string> Notify(NotifyListener listener, Dictionary<string, string>? more = null)
    {
        var environment = more ?? [];
        environment["NOTIFY_SOCKET"] = listener.Address;
        environment["WATCHDOG_USEC"] = "1000000";
        return environment;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Ready_once_listening_watchdog_every_half_second_while_idle_and_streaming_then_stopping_on_SIGTERM(bool @abstract)
    {
        using var listener = @abstract ? NotifyListener.Abstract() : NotifyListener.AtPath();
        await using var server = await ServerProcess.StartAsync(TestPattern, environment: Notify(listener));

        var ready = await listener.ReceiveAsync();
        Assert.StartsWith("READY=1\nSTATUS=streaming 1 input on http://127.0.0.1:", ready, StringComparison.Ordinal);
        Assert.Contains($":{server.Port}/", ready, StringComparison.Ordinal);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("WATCHDOG=1\n", await listener.ReceiveAsync());
        }

        // A viewer: the test pattern produces (its loop is judged now) and the watchdog goes on.
        await using var client = await MjpegClient.ConnectAsync(server.Port);
        await client.NextMatchingAsync(_ => true, TimeSpan.FromSeconds(10));
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("WATCHDOG=1\n", await listener.ReceiveAsync());
        }

        Assert.Equal(0, await server.StopAsync(Signals.SIGTERM));
        await listener.ReceiveUntilAsync("STOPPING=1");
        Assert.DoesNotContain("cannot notify systemd", server.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_programs_we_run_do_not_inherit_NOTIFY_SOCKET_or_the_watchdog()
    {
        using var listener = NotifyListener.AtPath();
        var folder = TestMedia.NewTempFolder();
        var seen = Path.Combine(folder, "env");
        await using var server = await ServerProcess.StartAsync(
            ["-i", $"input_exec.so -- sh -c \"env > {seen}.tmp; mv {seen}.tmp {seen}; sleep 60\"", "-o", "output_http.so -p 0 -l 127.0.0.1"],
            environment: Notify(listener, new Dictionary<string, string> { ["MJPG_TEST_MARKER"] = "inherited" }));
        await listener.ReceiveUntilAsync("READY=1");
        await Eventually.UntilAsync(() => File.Exists(seen), "the program wrote its environment");
        var environment = await File.ReadAllTextAsync(seen);
        Assert.Contains("MJPG_TEST_MARKER=inherited", environment, StringComparison.Ordinal);
        Assert.DoesNotContain("NOTIFY_SOCKET", environment, StringComparison.Ordinal);
        Assert.DoesNotContain("WATCHDOG_", environment, StringComparison.Ordinal);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Without_NOTIFY_SOCKET_nothing_is_said_about_systemd()
    {
        await using var server = await ServerProcess.StartAsync(TestPattern, environment: new Dictionary<string, string> { ["WATCHDOG_USEC"] = "1000000" });
        Assert.Equal(0, await server.StopAsync(Signals.SIGTERM));
        Assert.DoesNotContain("systemd", server.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_camera_thread_stuck_in_the_kernel_withholds_the_watchdog()
    {
        using var camera = new FakeCamera();
        using var listener = NotifyListener.AtPath();

        // -timeout 1: the capture loop's bound is 3 s (a still's reopen included), judged hung 10 s later.
        await using var server = await ServerProcess.StartAsync(
            ["-i", $"input_uvc.so -d {camera.Device} -timeout 1", "-o", "output_http.so -p 0 -l 127.0.0.1"],
            environment: Notify(listener, camera.Environment(("FAKECAM_HANG_AFTER_FRAMES", "30"))));
        await listener.ReceiveUntilAsync("READY=1");

        // Hung after 30 frames (about a second); withheld 13 s later: the watchdogs before that are skipped, within a bound.
        var bound = System.Diagnostics.Stopwatch.StartNew();
        string withheld;
        do
        {
            Assert.True(bound.Elapsed < TimeSpan.FromSeconds(40), "the watchdog was not withheld within 40 s of the hang");
            withheld = await listener.ReceiveAsync(TimeSpan.FromSeconds(30));
        }
        while (withheld == "WATCHDOG=1\n");

        Assert.StartsWith("STATUS=watchdog withheld: input 0 (input_uvc.so): its loop gave no sign of life for 1", withheld, StringComparison.Ordinal);
        await Eventually.UntilAsync(() => server.Stderr.Contains("systemd watchdog withheld", StringComparison.Ordinal), "the log says the watchdog is withheld");

        // Nothing more until the stop: a hung input does not come back by itself.
        _ = Signals.Kill(server.Pid, Signals.SIGTERM);
        Assert.Equal("STOPPING=1\n", await listener.ReceiveAsync());
    }
}
