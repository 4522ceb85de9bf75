using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Hosting;

/// <summary>
/// A start that fails shows the log lines so far and then one line naming the problem: never an exception or a
/// stack trace, whichever layer (option check, name lookup, Kestrel's bind, the generic host) found it.
/// </summary>
public sealed partial class StartupFailureTests
{
    [Fact]
    public async Task A_port_in_use_on_one_address_exits_1_naming_the_port()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var run = await RunAsync($"output_http.so -p {port} -l 127.0.0.1");
        AssertOneLineFailure(run, 1, $"output_http.so: port {port} on 127.0.0.1 is in use");
    }

    [Fact]
    public async Task A_port_in_use_on_every_address_exits_1_naming_the_port()
    {
        // Without -l the server binds every address, so a listener on any one of them is in its way.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var run = await RunAsync($"output_http.so -p {port}");
        AssertOneLineFailure(run, 1, $"output_http.so: port {port} is in use");
    }

    [Fact]
    public async Task A_listen_address_of_another_machine_exits_1()
    {
        // 203.0.113.0/24 is kept for documentation (RFC 5737): never an address of this machine.
        var run = await RunAsync("output_http.so -p 0 -l 203.0.113.7");
        AssertOneLineFailure(run, 1, "output_http.so: 203.0.113.7 is not an address of this machine");
    }

    [Fact]
    public async Task A_listen_host_name_that_does_not_resolve_exits_1()
    {
        // .invalid never resolves (RFC 2606).
        var run = await RunAsync("output_http.so -p 0 -l no-such-host.invalid");
        AssertOneLineFailure(run, 1, "output_http.so: cannot resolve listen address 'no-such-host.invalid'");
    }

    [Fact]
    public async Task A_missing_www_folder_exits_1()
    {
        var missing = Path.Combine(Path.GetTempPath(), "mjpg-tests-missing-" + Guid.NewGuid().ToString("N")[..12]);
        var run = await RunAsync($"output_http.so -p 0 -l 127.0.0.1 -w {missing}");
        AssertOneLineFailure(run, 1, $"output_http.so: www folder '{missing}' does not exist");
    }

    [Fact]
    public async Task Credentials_without_a_colon_are_a_usage_error_exit_2()
    {
        var run = await RunAsync("output_http.so -p 0 -l 127.0.0.1 -c nocolon");
        Assert.Equal(2, run.ExitCode);
        AssertNoStackTrace(run);
        var lines = run.Stderr.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Equal("mjpg_streamer: output_http.so: -c expects \"username:password\"", lines[0]);
        Assert.StartsWith("Try 'mjpg_streamer -h'", lines[1], StringComparison.Ordinal);
    }

    private static Task<ProgramRun.Result> RunAsync(string output) =>
        ProgramRun.RunAsync("--pause-file", "none", "-i", "input_testpattern.so -r 160x120", "-o", output);

    /// <summary>Exit code; every line but the last a log line; the last one "mjpg_streamer: " and the message.</summary>
    private static void AssertOneLineFailure(ProgramRun.Result run, int exitCode, string message)
    {
        Assert.True(run.ExitCode == exitCode, $"exit code {run.ExitCode}, expected {exitCode}; stderr:\n{run.Stderr}");
        AssertNoStackTrace(run);
        Assert.Empty(run.Stdout);
        var lines = run.Stderr.TrimEnd('\n').Split('\n');
        Assert.Equal($"mjpg_streamer: {message}", lines[^1]);
        foreach (var line in lines[..^1])
        {
            Assert.Matches(LogLine(), line);
        }
    }

    private static void AssertNoStackTrace(ProgramRun.Result run)
    {
        foreach (var text in new[] { run.Stdout, run.Stderr })
        {
            Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        }
    }

    /// <summary>The console logger's single-line format: "HH:mm:ss.fff level: category[event] message".</summary>
    [GeneratedRegex(@"^\d\d:\d\d:\d\d\.\d{3} (trce|dbug|info|warn|fail|crit): \S+\[\d+\] ")]
    private static partial Regex LogLine();
}
