using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Hosting;

/// <summary>Starting, stopping and going to the background, as systemd and init scripts do it.</summary>
public sealed class LifecycleTests
{
    private static readonly string[] TestPattern = ["-i", "input_testpattern.so -r 320x240 -f 30", "-o", "output_http.so -p 0 -l 127.0.0.1"];

    [Theory]
    [InlineData(Signals.SIGTERM)]
    [InlineData(Signals.SIGINT)]
    public async Task A_signal_stops_the_server_within_2_s_with_clients_attached_and_exit_0(int signal)
    {
        await using var server = await ServerProcess.StartAsync(TestPattern);
        var clients = new List<TcpClient>();
        for (var i = 0; i < 3; i++)
        {
            var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", server.Port);
            await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes("GET /?action=stream HTTP/1.0\r\n\r\n"));
            var buffer = new byte[4096];
            Assert.True(await client.GetStream().ReadAsync(buffer) > 0);
            clients.Add(client);
        }

        var watch = Stopwatch.StartNew();
        var exit = await server.StopAsync(signal, TimeSpan.FromSeconds(5));
        Assert.Equal(0, exit);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"stopping took {watch.Elapsed}");
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    [Fact]
    public async Task Background_mode_prints_the_pid_once_listening_and_the_server_runs_detached()
    {
        var folder = TestMedia.NewTempFolder();
        File.WriteAllText(Path.Combine(folder, "index.html"), "relative www works\n");
        var port = FreePort();
        var start = new ProcessStartInfo(ServerProcess.ExecutablePath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(folder)!,
        };
        foreach (var arg in new[] { "--pause-file", "none", "-b", "-i", "input_testpattern.so -r 160x120", "-o", $"output_http.so -p {port} -l 127.0.0.1 -w ./{Path.GetFileName(folder)}" })
        {
            start.ArgumentList.Add(arg);
        }

        using var parent = Process.Start(start)!;
        var stdout = await parent.StandardOutput.ReadToEndAsync();
        await parent.WaitForExitAsync();
        Assert.Equal(0, parent.ExitCode);
        var pid = int.Parse(stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            // Listening already when the parent returned; relative paths were kept.
            var page = await RawHttp.GetResponseAsync(port, "/");
            Assert.Equal(200, page.Status);
            Assert.Equal("relative www works\n", page.BodyText);
            var status = File.ReadAllText($"/proc/{pid}/stat");
            var fields = status[(status.LastIndexOf(')') + 2)..].Split(' ');
            Assert.Equal(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), fields[3]); // its own session
            Assert.Equal("/dev/null", new FileInfo($"/proc/{pid}/fd/1").LinkTarget);
        }
        finally
        {
            Signals.Kill(pid, Signals.SIGTERM);
        }

        await Eventually.UntilAsync(() => !Directory.Exists($"/proc/{pid}"), "the background server stopped on SIGTERM", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Background_mode_reports_a_start_failure_and_exits_1()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var run = await ProgramRun.RunAsync("--pause-file", "none", "-b", "-i", "input_testpattern.so", "-o", $"output_http.so -p {port} -l 127.0.0.1");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"mjpg_streamer: output_http.so: port {port} on 127.0.0.1 is in use\n", run.Stderr);
    }

    [Fact]
    public async Task Without_outputs_the_default_http_output_is_used_and_without_inputs_frames_are_404()
    {
        await using var server = await ServerProcess.StartAsync(["-o", "output_http.so -p 0 -l 127.0.0.1"]);
        var snapshot = await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot");
        Assert.Equal(404, snapshot.Status);
        Assert.Equal("404: Not Found!\r\nInvalid input plugin number", snapshot.BodyText);
    }

    [Fact]
    public async Task An_idle_connection_is_closed_without_an_answer()
    {
        await using var server = await ServerProcess.StartAsync(TestPattern);
        var watch = Stopwatch.StartNew();
        var answer = await RawHttp.SendAsync(server.Port, [], TimeSpan.FromSeconds(20));
        Assert.Empty(answer);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(12), $"closed after {watch.Elapsed}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
