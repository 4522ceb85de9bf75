using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Observability;

/// <summary>
/// /metrics against the real tools: promtool's parser and linter, and a real Prometheus that scrapes the server.
/// Both come from the Debian package prometheus (test.sh installs it); without it these tests fail, they never skip.
/// </summary>
public sealed class MetricsTests
{
    private const string Credentials = "scraper:s3cret";

    private static string AuthorizationHeader => "Authorization: Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Credentials)) + "\r\n";

    [Fact]
    public async Task Metrics_need_the_credentials_and_pass_promtool_check()
    {
        var promtool = RequireProgram("promtool");
        await using var server = await StartServerAsync();

        var refused = await RawHttp.GetResponseAsync(server.Port, "/metrics");
        Assert.Equal(401, refused.Status);

        await TakeSnapshotAsync(server);
        var response = await RawHttp.GetResponseAsync(server.Port, "/metrics", extraHeaders: AuthorizationHeader);
        Assert.Equal(200, response.Status);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Header("Content-Type"));
        var text = response.BodyText;
        Assert.Contains("# TYPE mjpg_streamer_frames_captured_total counter", text, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^mjpg_streamer_frames_captured_total\{input=""0""\} [1-9][0-9]*$", text);
        Assert.Matches(@"(?m)^mjpg_streamer_frames_served_total\{input=""0"",output=""0""\} [1-9][0-9]*$", text);
        Assert.Matches(@"(?m)^mjpg_streamer_requests_refused_total\{reason=""auth""\} 1$", text);
        Assert.Matches(@"(?m)^mjpg_streamer_encode_seconds_count\{input=""0""\} [1-9][0-9]*$", text);

        // A scrape changes nothing: the refusal count is the same after a second one.
        var again = (await RawHttp.GetResponseAsync(server.Port, "/metrics", extraHeaders: AuthorizationHeader)).BodyText;
        Assert.Matches(@"(?m)^mjpg_streamer_requests_refused_total\{reason=""auth""\} 1$", again);

        var (exit, output) = await RunAsync(promtool, ["check", "metrics"], stdin: text, TimeSpan.FromSeconds(30));
        Assert.True(exit == 0 && output.Trim().Length == 0, $"promtool check metrics (exit {exit}): {output}\n{text}");
    }

    [Fact]
    public async Task A_real_prometheus_scrapes_the_server()
    {
        var prometheus = RequireProgram("prometheus");
        await using var server = await StartServerAsync();
        await TakeSnapshotAsync(server);

        var dir = Directory.CreateTempSubdirectory("mjpg-prometheus-");
        var (user, password) = (Credentials.Split(':')[0], Credentials.Split(':')[1]);
        var config = Path.Combine(dir.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: mjpg_streamer
                metrics_path: /metrics
                basic_auth:
                  username: {user}
                  password: {password}
                static_configs:
                  - targets: ['127.0.0.1:{server.Port}']
            """);
        var port = FreePort();
        var start = new ProcessStartInfo(prometheus)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var arg in (string[])[$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(dir.FullName, "data")}", $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"])
        {
            start.ArgumentList.Add(arg);
        }

        var log = new StringBuilder();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start " + prometheus);
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
            string last = "";
            async Task<bool> Has(string query, Func<JsonElement, bool> check)
            {
                if (process.HasExited)
                {
                    Assert.Fail($"prometheus exited ({process.ExitCode}): {log}");
                }

                try
                {
                    last = await http.GetStringAsync("api/v1/query?query=" + Uri.EscapeDataString(query));
                }
                catch (HttpRequestException ex)
                {
                    last = ex.Message;
                    return false;
                }
                catch (TaskCanceledException ex)
                {
                    last = ex.Message;
                    return false;
                }

                using var json = JsonDocument.Parse(last);
                var result = json.RootElement.GetProperty("data").GetProperty("result");
                return result.GetArrayLength() > 0 && check(result[0]);
            }

            static double Value(JsonElement sample) => double.Parse(sample.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);

            await Eventually.UntilAsync(() => Has("up{job=\"mjpg_streamer\"}", s => Value(s) == 1), () => $"Prometheus scraped the server (up == 1); last answer: {last}; log: {log}", TimeSpan.FromSeconds(60));
            await Eventually.UntilAsync(
                () => Has("mjpg_streamer_frames_captured_total{job=\"mjpg_streamer\",input=\"0\"}", s => Value(s) > 0),
                () => $"Prometheus has mjpg_streamer_frames_captured_total > 0; last answer: {last}",
                TimeSpan.FromSeconds(30));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            dir.Delete(recursive: true);
        }
    }

    private static Task<ServerProcess> StartServerAsync() => ServerProcess.StartAsync(
        ["-i", "input_testpattern.so -r 160x120 -f 10", "-o", $"output_http.so -p 0 -l 127.0.0.1 -c {Credentials}"]);

    /// <summary>One snapshot, so the test pattern encodes and the counters move.</summary>
    private static async Task TakeSnapshotAsync(ServerProcess server)
    {
        var snapshot = await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot", extraHeaders: AuthorizationHeader);
        Assert.Equal(200, snapshot.Status);
    }

    private static string RequireProgram(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':'))
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        Assert.Fail($"'{name}' is not installed: install the Debian package prometheus (apt-get install -y prometheus; test.sh does it)");
        return "";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int Exit, string Output)> RunAsync(string program, string[] args, string stdin, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start " + program);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            Assert.Fail($"{program} did not finish within {timeout.TotalSeconds} s");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
