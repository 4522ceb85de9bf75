using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Google.Protobuf;
using MjpgStreamer.Native.Jpeg;
using MjpgStreamer.Tests.Infrastructure;
using NetMQ;
using NetMQ.Sockets;

namespace MjpgStreamer.Tests.Zmq;

/// <summary>
/// output_zmqserver.so in the real executable (the NativeAOT build when test.sh runs them): a NetMQ SUB socket receives
/// "frames" messages whose second part parses with package.proto and whose JPEGs decode; -m; option and bind errors.
/// </summary>
public sealed partial class ZmqOutputTests
{
    private static readonly TimeSpan Receive = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(10)]
    public async Task A_subscriber_gets_packages_of_b_frames_that_parse_and_decode(int perMessage)
    {
        await using var server = await StartAsync($"-a tcp://127.0.0.1:0 -b {perMessage}");
        using var subscriber = new SubscriberSocket();
        subscriber.Connect(Endpoint(server));
        subscriber.Subscribe("frames");

        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        for (var message = 0; message < 2; message++)
        {
            var parts = ReceiveMessage(subscriber, server);
            Assert.Equal(2, parts.Count);
            Assert.Equal("frames"u8.ToArray(), parts[0]);
            var package = Pb.Package.Parser.ParseFrom(parts[1]);
            Assert.True(package.IsInitialized());
            Assert.Equal(perMessage, package.Frame.Count);
            using var decoder = new JpegDecoder();
            foreach (var frame in package.Frame)
            {
                _ = decoder.DecodeToRgb(frame.Blob.Span, out var width, out var height);
                Assert.Equal((320, 240), (width, height));
                // Wall-clock seconds: the frame was captured, and packed, since this test began (and not in the future).
                var after = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                Assert.InRange(frame.TimestampUnix, before - 1, after + 1);
                Assert.InRange(frame.TimestampS, before - 2, after + 1);
                Assert.InRange(frame.TimestampUs, 0u, 999_999u);
            }
        }

        var state = await ZmqStateAsync(server);
        Assert.True(state.GetProperty("subscribed").GetBoolean());
        Assert.True(state.GetProperty("messages").GetInt64() >= 2);
        Assert.Equal(perMessage, state.GetProperty("buffer_size").GetInt32());
    }

    [Fact]
    public async Task The_input_is_read_only_while_a_client_subscribes_to_a_prefix_of_frames()
    {
        await using var server = await StartAsync("-a tcp://127.0.0.1:0 -b 1");
        var state = await ZmqStateAsync(server);
        Assert.False(state.GetProperty("subscribed").GetBoolean());
        Assert.Equal(0, state.GetProperty("messages").GetInt64());
        Assert.Equal(0, (await ServerState.InputAsync(server)).GetProperty("clients").GetInt32());

        // Another topic does not count; "fra" is a prefix of "frames", so it does (SUB filters by prefix).
        using (var other = new SubscriberSocket())
        {
            other.Connect(Endpoint(server));
            other.Subscribe("video");
            using var prefix = new SubscriberSocket();
            prefix.Connect(Endpoint(server));
            prefix.Subscribe("fra");
            var parts = ReceiveMessage(prefix, server);
            Assert.Equal("frames"u8.ToArray(), parts[0]);
            Assert.False(other.TryReceiveFrameBytes(TimeSpan.Zero, out _));
            Assert.Equal(1, (await ServerState.InputAsync(server)).GetProperty("clients").GetInt32());
        }

        await Eventually.UntilAsync(
            async () => !(await ZmqStateAsync(server)).GetProperty("subscribed").GetBoolean(),
            "the output sees that nobody subscribes any more");
        // The console log is written on its own thread, after the state changed.
        await Eventually.UntilAsync(() => server.Stderr.Contains("no client subscribes", StringComparison.Ordinal), "the output logs that nobody subscribes");
        await Eventually.UntilAsync(
            async () => (await ServerState.InputAsync(server)).GetProperty("clients").GetInt32() == 0,
            "the output lets go of the input");

        // And again: a new subscriber gets frames.
        using var again = new SubscriberSocket();
        again.Connect(Endpoint(server));
        again.SubscribeToAnyTopic();
        Assert.Equal("frames"u8.ToArray(), ReceiveMessage(again, server)[0]);
    }

    [Fact]
    public async Task While_paused_subscribers_get_the_paused_picture_and_the_output_keeps_running()
    {
        var folder = Directory.CreateTempSubdirectory("zmq-pause-");
        try
        {
            var lockFile = Path.Combine(folder.FullName, "paused.lock");
            await using var server = await ServerProcess.StartAsync(
                ["--pause-file", lockFile, "-i", "input_testpattern.so -r 320x240 -f 30", "-o", "output_zmqserver.so -a tcp://127.0.0.1:0 -b 1", "-o", "output_http.so -p 0 -l 127.0.0.1"]);
            using var subscriber = new SubscriberSocket();
            subscriber.Connect(Endpoint(server));
            subscriber.Subscribe("frames");
            _ = ReceiveMessage(subscriber, server);

            File.WriteAllText(lockFile, "");
            await ServerState.WaitForAsync(server, "released", "lock file");
            // The keep-alive pictures (about one a second) still come, as packages that parse and decode.
            var before = (await ZmqStateAsync(server)).GetProperty("messages").GetInt64();
            await Eventually.UntilAsync(
                async () => (await ZmqStateAsync(server)).GetProperty("messages").GetInt64() >= before + 2,
                "two more messages while paused");
            while (subscriber.TryReceiveFrameBytes(TimeSpan.Zero, out _))
            {
            }

            var parts = ReceiveMessage(subscriber, server);
            var frame = Assert.Single(Pb.Package.Parser.ParseFrom(parts[1]).Frame);
            using var decoder = new JpegDecoder();
            _ = decoder.DecodeToRgb(frame.Blob.Span, out _, out _);
            Assert.False(server.HasExited);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Dash_m_writes_the_frames_to_stdout_as_concatenated_jpegs()
    {
        var start = new ProcessStartInfo(ServerProcess.ExecutablePath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "--pause-file", "none", "-i", "input_testpattern.so -r 320x240 -f 30", "-o", "output_zmqserver.so -m stdout -f /nowhere -c true" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            var bytes = new MemoryStream();
            var chunk = new byte[64 * 1024];
            using var cts = new CancellationTokenSource(Receive);
            var stdout = process.StandardOutput.BaseStream;
            // Three pictures' worth: the first two are then whole.
            while (Count(bytes, [0xFF, 0xD9, 0xFF, 0xD8]) < 2)
            {
                var read = await stdout.ReadAsync(chunk, cts.Token);
                Assert.True(read > 0, "stdout ended");
                bytes.Write(chunk, 0, read);
            }

            var all = bytes.ToArray();
            Assert.Equal(new byte[] { 0xFF, 0xD8 }, all[..2]);
            var end = all.AsSpan().IndexOf((ReadOnlySpan<byte>)[0xFF, 0xD9, 0xFF, 0xD8]) + 2;
            using var decoder = new JpegDecoder();
            _ = decoder.DecodeToRgb(all.AsSpan(0, end), out var width, out var height);
            Assert.Equal((320, 240), (width, height));
        }
        finally
        {
            _ = Signals.Kill(process.Id, Signals.SIGTERM);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(cts.Token);
        }

        Assert.Equal(0, process.ExitCode);
        var log = await stderr;
        Assert.Contains("frames to stdout (-m)", log, StringComparison.Ordinal);
        Assert.Contains("-f, -c accepted for compatibility and ignored", log, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("output_zmqserver.so: a ZeroMQ endpoint such as tcp://*:5555 is required (-a)", "")]
    [InlineData("output_zmqserver.so: -b '0' is not a whole number from 1 to 10", "-a tcp://*:5555 -b 0")]
    [InlineData("output_zmqserver.so: -b '11' is not a whole number from 1 to 10", "-a tcp://*:5555 -b 11")]
    [InlineData("output_zmqserver.so: -a 'ipc:///tmp/x' is not a tcp://HOST:PORT endpoint (e.g. tcp://*:5555)", "-a ipc:///tmp/x")]
    [InlineData("output_zmqserver.so: -a 'tcp://*:http' is not a tcp://HOST:PORT endpoint (e.g. tcp://*:5555)", "-a tcp://*:http")]
    [InlineData("output_zmqserver.so: -a 'tcp://*:70000' is not a tcp://HOST:PORT endpoint (e.g. tcp://*:5555)", "-a tcp://*:70000")]
    [InlineData("output_zmqserver.so: unknown option '-x'", "-a tcp://*:5555 -x")]
    public async Task Bad_options_exit_2_with_one_line_and_the_hint(string message, string options)
    {
        var run = await ProgramRun.RunAsync("-i", "input_testpattern.so", "-o", $"output_zmqserver.so {options}".TrimEnd());
        Assert.Equal(2, run.ExitCode);
        var lines = run.Stderr.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Equal("mjpg_streamer: " + message, lines[0]);
        Assert.StartsWith("Try 'mjpg_streamer -h'", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_in_use_exits_1_with_one_line()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var run = await ProgramRun.RunAsync("--pause-file", "none", "-i", "input_testpattern.so", "-o", $"output_zmqserver.so -a tcp://127.0.0.1:{port}");
        Assert.Equal(1, run.ExitCode);
        var line = LastLine(run.Stderr);
        Assert.StartsWith($"mjpg_streamer: output_zmqserver.so: cannot bind tcp://127.0.0.1:{port}: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_address_not_on_this_machine_exits_1_with_one_line()
    {
        // 192.0.2.1 is TEST-NET-1: no machine has it, so bind(2) says EADDRNOTAVAIL.
        var run = await ProgramRun.RunAsync("--pause-file", "none", "-i", "input_testpattern.so", "-o", "output_zmqserver.so -a tcp://192.0.2.1:5555");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("mjpg_streamer: output_zmqserver.so: cannot bind tcp://192.0.2.1:5555: ", LastLine(run.Stderr), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_input_that_does_not_exist_exits_1_with_one_line()
    {
        var run = await ProgramRun.RunAsync("--pause-file", "none", "-i", "input_testpattern.so", "-o", "output_zmqserver.so -a tcp://127.0.0.1:0 -i 1");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("mjpg_streamer: output_zmqserver.so: -i 1 names no input (there is 1 input)", LastLine(run.Stderr));
    }

    [Fact]
    public async Task Help_program_json_and_output_json_know_the_plugin()
    {
        var help = await ProgramRun.RunAsync("-o", "output_zmqserver.so --help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("Help for output plugin..: ZMQ output plugin", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("[-b | --buffer_size ]", help.Stdout, StringComparison.Ordinal);
        var global = await ProgramRun.RunAsync("-h");
        Assert.Contains("output_zmqserver.so", global.Stdout, StringComparison.Ordinal);

        await using var server = await StartAsync("-a tcp://127.0.0.1:0");
        var program = await RawHttp.GetResponseAsync(server.Port, "/program.json");
        Assert.Contains("\"name\": \"ZMQ output plugin\"", program.BodyText, StringComparison.Ordinal);
        Assert.Contains("\"plugin\": \"output_zmqserver.so\"", program.BodyText, StringComparison.Ordinal);
        var output = await RawHttp.GetResponseAsync(server.Port, "/output.json?id=0");
        Assert.Equal(200, output.Status);
    }

    /// <summary>input_testpattern (which encodes only while someone reads it), the ZMQ output (0) and an HTTP output (1) for /state.</summary>
    private static Task<ServerProcess> StartAsync(string zmqOptions) =>
        ServerProcess.StartAsync(["-i", "input_testpattern.so -r 320x240 -f 30", "-o", "output_zmqserver.so " + zmqOptions, "-o", "output_http.so -p 0 -l 127.0.0.1"]);

    private static string Endpoint(ServerProcess server)
    {
        var match = PublishingLine().Match(server.Stderr);
        Assert.True(match.Success, server.Stderr);
        return match.Groups[1].Value;
    }

    private static List<byte[]> ReceiveMessage(SubscriberSocket subscriber, ServerProcess server)
    {
        var parts = new List<byte[]>();
        if (!subscriber.TryReceiveMultipartBytes(Receive, ref parts!))
        {
            Assert.Fail("no message within " + Receive + "\n" + server.Stderr);
        }

        return parts;
    }

    private static async Task<System.Text.Json.JsonElement> ZmqStateAsync(ServerProcess server) =>
        (await ServerState.GetJsonAsync(server, "/state")).GetProperty("outputs")[0];

    private static int Count(MemoryStream stream, byte[] pattern)
    {
        var span = stream.GetBuffer().AsSpan(0, (int)stream.Length);
        var count = 0;
        for (var at = span.IndexOf(pattern); at >= 0; at = span.IndexOf(pattern))
        {
            count++;
            span = span[(at + pattern.Length)..];
        }

        return count;
    }

    private static string LastLine(string text) => text.TrimEnd('\n').Split('\n')[^1];

    [GeneratedRegex(@"publishing input 0 on (tcp://[^ ,]+),")]
    private static partial Regex PublishingLine();
}
