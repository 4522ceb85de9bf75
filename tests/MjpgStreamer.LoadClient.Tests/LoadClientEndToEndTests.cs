using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace MjpgStreamer.LoadClient.Tests;

public sealed class LoadClientEndToEndTests
{
    private static async Task<(int ExitCode, string Output, string Error)> RunToolAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var exitCode = await LoadClientProgram.RunAsync(args, output, error, TimeProvider.System, timeout.Token);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Three_clients_receive_every_frame_the_server_publishes()
    {
        // 20 frames at 50 fps, starting 0.3 s into the 2 s window: every frame is published and received inside it.
        await using var server = StandInServer.Start(burstFrames: 20);

        var (exitCode, output, error) = await RunToolAsync("--url", server.Url, "--clients", "3", "--duration", "2",
            "--warmup", "0.5", "--pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");

        Assert.True(exitCode == 0, error);
        using var report = JsonDocument.Parse(output);
        var root = report.RootElement;
        Assert.Equal(3, root.GetProperty("clients").GetInt32());
        Assert.Equal(0, root.GetProperty("connection_errors").GetInt32());
        Assert.True(root.GetProperty("ok").GetBoolean());

        Assert.Equal(20, root.GetProperty("published_frames").GetInt64());
        Assert.Equal(60, root.GetProperty("frames_total").GetInt64());
        Assert.Equal(100, root.GetProperty("received_pct").GetProperty("min").GetDouble());
        Assert.Equal(100, root.GetProperty("received_pct").GetProperty("median").GetDouble());
        var fps = root.GetProperty("fps");
        Assert.Equal(fps.GetProperty("min").GetDouble(), fps.GetProperty("max").GetDouble());
        Assert.InRange(fps.GetProperty("median").GetDouble(), 1, 20);

        // Every stand-in frame carries a timestamp, so every counted frame has a latency sample.
        var frames = root.GetProperty("frames_total").GetInt64();
        var latency = root.GetProperty("latency_ms");
        Assert.Equal(frames, latency.GetProperty("samples").GetInt64());
        Assert.InRange(latency.GetProperty("p50").GetDouble(), 0, latency.GetProperty("p99").GetDouble());
        Assert.InRange(latency.GetProperty("max").GetDouble(), latency.GetProperty("p99").GetDouble(), 30_000);

        // Bytes include part headers and boundaries, so they exceed the smallest fake frame per counted frame.
        Assert.True(root.GetProperty("bytes_total").GetInt64() > frames * 400);
        Assert.True(root.GetProperty("mb_per_s").GetDouble() > 0);
        Assert.True(root.GetProperty("rss_end_mib").GetDouble() > 1);
        Assert.True(root.GetProperty("rss_max_mib").GetDouble() >= root.GetProperty("rss_end_mib").GetDouble());
        Assert.True(root.GetProperty("server_cpu_s").GetDouble() >= 0);
        Assert.True(root.GetProperty("gc").GetProperty("gen0").GetInt64() >= 0);

        // Each client asked for the stream over HTTP/1.0 (no chunked encoding); /state was probed, then read at both ends.
        Assert.Equal(3, server.RequestLines.Count(l => l == "GET /?action=stream HTTP/1.0"));
        Assert.Equal(3, server.RequestLines.Count(l => l == "GET /state HTTP/1.0"));
    }

    [Fact]
    public async Task The_text_report_names_every_figure()
    {
        await using var server = StandInServer.Start();

        var (exitCode, output, error) = await RunToolAsync("--url", server.Url, "--clients", "2", "--duration", "0.5", "--warmup", "0.2");

        Assert.True(exitCode == 0, error);
        foreach (var label in new[] { "clients", "fps per client", "received/published", "latency", "throughput", "server CPU", "server RSS", "server GC", "connection errors   0" })
        {
            Assert.Contains(label, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_broken_stream_fails_the_run_with_a_one_line_reason()
    {
        await using var server = StandInServer.Start(breakAfterFrames: 5);

        var (exitCode, output, error) = await RunToolAsync("--url", server.Url, "--clients", "3", "--duration", "5", "--warmup", "0.2", "--json");

        Assert.Equal(1, exitCode);
        using var report = JsonDocument.Parse(output);
        Assert.Equal(3, report.RootElement.GetProperty("broken_streams").GetInt32());
        Assert.False(report.RootElement.GetProperty("ok").GetBoolean());
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("3 of 3 clients failed", line, StringComparison.Ordinal);
        Assert.Contains("stream broke", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_the_server_never_answers_fails_the_run()
    {
        await using var server = StandInServer.Start(silentStreams: true);

        var (exitCode, output, error) = await RunToolAsync("--url", server.Url, "--clients", "2", "--duration", "0.5", "--warmup", "0.2", "--json");

        Assert.Equal(1, exitCode);
        using var report = JsonDocument.Parse(output);
        Assert.Equal(2, report.RootElement.GetProperty("broken_streams").GetInt32());
        Assert.Contains("no response from the server", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_is_not_there_fails_the_run()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var (exitCode, output, error) = await RunToolAsync("--url", $"http://127.0.0.1:{port}/", "--clients", "2", "--duration", "5", "--json");

        Assert.Equal(1, exitCode);
        using var report = JsonDocument.Parse(output);
        Assert.Equal(2, report.RootElement.GetProperty("connect_failures").GetInt32());
        Assert.Contains("connect failed", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_input_is_reported_as_a_refused_stream()
    {
        await using var server = StandInServer.Start();

        var (exitCode, _, error) = await RunToolAsync("--url", server.Url, "--input", "3", "--duration", "2", "--warmup", "0");

        Assert.Equal(1, exitCode);
        Assert.Contains("404 Not Found", error, StringComparison.Ordinal);
        Assert.Contains("GET /?action=stream_3 HTTP/1.0", server.RequestLines);
    }

    [Fact]
    public async Task Without_state_the_run_succeeds_and_says_what_is_missing()
    {
        await using var server = StandInServer.Start(serveState: false);

        var (exitCode, output, error) = await RunToolAsync("--url", server.Url, "--duration", "0.5", "--warmup", "0.2", "--json");

        Assert.True(exitCode == 0, error);
        using var report = JsonDocument.Parse(output);
        var root = report.RootElement;
        Assert.Equal(JsonValueKind.Null, root.GetProperty("published_frames").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("received_pct").GetProperty("min").ValueKind);
        var warning = Assert.Single(root.GetProperty("warnings").EnumerateArray());
        Assert.Contains("no server state", warning.GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_a_server_on_another_machine_before_connecting()
    {
        var (exitCode, output, error) = await RunToolAsync("--url", "http://192.0.2.1:8080/", "--duration", "1");

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains("loopback", error, StringComparison.Ordinal);
    }
}
