using System.Net;
using System.Net.Sockets;
using System.Text;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Outputs;

/// <summary>output_udp.so end to end: a datagram names a file in -f; the answer echoes it, or says why not.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class UdpOutputTests
{
    [Fact]
    public async Task A_datagram_saves_a_frame_inside_the_folder_and_is_echoed_and_a_name_leaving_the_folder_is_refused()
    {
        var root = TestMedia.NewTempFolder();
        var folder = Path.Combine(root, "udp");
        Directory.CreateDirectory(folder);
        var port = FreeUdpPort();
        await using var server = await ServerProcess.StartAsync(["-i", "input_testpattern.so -r 160x120 -f 20", "-o", "output_http.so -p 0 -l 127.0.0.1", "-o", $"output_udp.so -p {port} -f {folder}"]);

        await WaitForUdpAsync(server);
        using var client = new UdpClient(AddressFamily.InterNetwork);
        client.Connect(IPAddress.Loopback, port);
        Assert.Equal("one.jpg\n", await AskAsync(client, "one.jpg\n"));
        var saved = File.ReadAllBytes(Path.Combine(folder, "one.jpg"));
        Assert.Equal([0xFF, 0xD8], saved[..2]);
        Assert.Equal([0xFF, 0xD9], saved[^2..]);

        foreach (var bad in new[] { "../x.jpg", "a/b.jpg", "/tmp/x.jpg", ".." })
        {
            var answer = await AskAsync(client, bad);
            Assert.StartsWith("error: ", answer, StringComparison.Ordinal);
            Assert.Contains("not a plain file name", answer, StringComparison.Ordinal);
        }

        var state = await FileOutputTests.OutputStateAsync(server, 1);
        Assert.Equal("127.0.0.1", state.GetProperty("listen").GetString());
        Assert.Equal(1, state.GetProperty("files_written").GetInt64());
        Assert.Equal(4, state.GetProperty("refused").GetInt64());
        await server.StopAsync();
        Assert.Equal(["udp"], Directory.GetFileSystemEntries(root).Select(p => Path.GetFileName(p)).ToArray());
        Assert.Equal(["one.jpg"], Directory.GetFileSystemEntries(folder).Select(p => Path.GetFileName(p)).ToArray());
    }

    [Fact]
    public async Task The_command_runs_with_the_saved_file()
    {
        var folder = TestMedia.NewTempFolder();
        var work = TestMedia.NewTempFolder();
        var log = Path.Combine(work, "got.log");
        var script = Path.Combine(work, "record.sh");
        File.WriteAllText(script, $"#!/bin/sh\nprintf '%s|%s\\n' \"$1\" \"$MJPG_FILE\" >> {log}\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var port = FreeUdpPort();
        await using var server = await ServerProcess.StartAsync(["-i", "input_testpattern.so -r 160x120 -f 20", "-o", "output_http.so -p 0 -l 127.0.0.1", "-o", $"output_udp.so --port {port} --folder {folder} --command {script}"]);
        await WaitForUdpAsync(server);
        using var client = new UdpClient(AddressFamily.InterNetwork);
        client.Connect(IPAddress.Loopback, port);
        Assert.Equal("two.jpg", await AskAsync(client, "two.jpg"));
        var path = Path.Combine(folder, "two.jpg");
        await Eventually.UntilAsync(() => File.Exists(log) && File.ReadAllText(log).Length > 0, "the command ran");
        Assert.Equal($"{path}|{path}\n", File.ReadAllText(log));
    }

    [Fact]
    public async Task Without_port_it_is_a_usage_error_and_a_busy_port_a_startup_failure()
    {
        var missing = await ProgramRun.RunAsync("--pause-file", "none", "-i", "input_testpattern.so -r 160x120", "-o", "output_udp.so -f /tmp");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("mjpg_streamer: output_udp.so: -p (the UDP port) is required", missing.Stderr, StringComparison.Ordinal);

        using var busy = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)busy.Client.LocalEndPoint!).Port;
        var inUse = await ProgramRun.RunAsync("--pause-file", "none", "-i", "input_testpattern.so -r 160x120", "-o", "output_http.so -p 0 -l 127.0.0.1", "-o", $"output_udp.so -p {port}");
        Assert.Equal(1, inUse.ExitCode);
        Assert.EndsWith($"mjpg_streamer: output_udp.so: UDP port 127.0.0.1:{port} is in use\n", inUse.Stderr, StringComparison.Ordinal);
    }

    private static async Task<string> AskAsync(UdpClient client, string text)
    {
        await client.SendAsync(Encoding.UTF8.GetBytes(text));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var answer = await client.ReceiveAsync(timeout.Token);
        return Encoding.UTF8.GetString(answer.Buffer);
    }

    /// <summary>The HTTP output listens first; the UDP output (the next) logs once its socket is bound.</summary>
    private static Task WaitForUdpAsync(ServerProcess server) =>
        Eventually.UntilAsync(() => server.Stderr.Contains("answering UDP datagrams on 127.0.0.1:", StringComparison.Ordinal), "the UDP output listens");

    internal static int FreeUdpPort()
    {
        using var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
    }
}
