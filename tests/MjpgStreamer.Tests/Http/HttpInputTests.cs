using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Http;

/// <summary>
/// input_http.so through the whole server: it relays our own server (a second real process), the original's
/// framing (its recorded stream), ustreamer's, other boundaries and chunked bodies (a small in-test server),
/// Basic auth, an upstream that dies and comes back (NO SIGNAL, then live frames on the same client
/// connection), and the pause, which closes the upstream connection.
/// </summary>
public sealed partial class HttpInputTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Relays_our_own_server_with_snapshot_and_stream_frames_byte_identical_to_the_upstreams()
    {
        await using var upstream = await ServerProcess.StartAsync(["-i", "input_testpattern.so -r 320x240 -f 10", "-o", "output_http.so -p 0 -l 127.0.0.1"]);
        await using var relay = await StartRelayAsync($"-H 127.0.0.1 -p {upstream.Port}");
        await ServerState.WaitForAsync(relay, "streaming", wait: Wait);

        // Every frame the upstream sends, as one of its own clients sees it.
        var seen = new ConcurrentDictionary<string, bool>();
        using var stopWatching = new CancellationTokenSource();
        await using var direct = await MjpegClient.ConnectAsync(upstream.Port);
        var watching = Task.Run(async () =>
        {
            while (!stopWatching.IsCancellationRequested)
            {
                seen[Hash((await direct.NextAsync()).Jpeg)] = true;
            }
        });

        await using var relayed = await MjpegClient.ConnectAsync(relay.Port);
        var frames = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            frames.Add(Hash((await relayed.NextAsync()).Jpeg));
        }

        var snapshot = await RawHttp.GetResponseAsync(relay.Port, "/?action=snapshot");
        Assert.Equal(200, snapshot.Status);
        frames.Add(Hash(snapshot.Body));
        Assert.Equal(frames.Count, frames.Distinct().Count());
        await Eventually.UntilAsync(() => frames.All(seen.ContainsKey), "every relayed frame is one the upstream sent, byte for byte");
        await stopWatching.CancelAsync();
        await watching;

        // The relay's JSON names the plugin and its arguments.
        var program = await ServerState.GetJsonAsync(relay, "/program.json");
        var input = program.GetProperty("inputs")[0];
        Assert.Equal("input_http.so", input.GetProperty("plugin").GetString());
        Assert.Equal("HTTP Input plugin", input.GetProperty("name").GetString());
        Assert.Equal($"-H 127.0.0.1 -p {upstream.Port}", input.GetProperty("args").GetString()!.Trim());
        var controls = await ServerState.GetJsonAsync(relay, "/input.json");
        Assert.Equal(JsonValueKind.Array, controls.GetProperty("controls").ValueKind);
    }

    [Fact]
    public async Task An_upstream_killed_and_restarted_gives_no_signal_to_connected_clients_then_live_frames_again()
    {
        var upstream = await ServerProcess.StartAsync(["-i", "input_testpattern.so -r 320x240 -f 10", "-o", "output_http.so -p 0 -l 127.0.0.1"]);
        var port = upstream.Port;
        try
        {
            await using var relay = await StartRelayAsync($"-u http://127.0.0.1:{port}/?action=stream");
            await ServerState.WaitForAsync(relay, "streaming", wait: Wait);
            await using var client = await MjpegClient.ConnectAsync(relay.Port);
            await NextPairAsync(client, same: false);

            Assert.Equal(0, Signals.Kill(upstream.Pid, Signals.SIGKILL));
            await upstream.DisposeAsync();
            await ServerState.WaitForAsync(relay, "no_signal", $"127.0.0.1:{port}", wait: Wait);

            // The same connection now gets the NO SIGNAL picture: the same bytes again and again.
            await NextPairAsync(client, same: true);

            upstream = await ServerProcess.StartAsync(["-i", "input_testpattern.so -r 320x240 -f 10", "-o", $"output_http.so -p {port} -l 127.0.0.1"]);
            await ServerState.WaitForAsync(relay, "streaming", wait: Wait);
            await NextPairAsync(client, same: false);
            Assert.Contains("no_signal", relay.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await upstream.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Relays_the_originals_recorded_stream_by_its_boundary(bool withoutContentLength)
    {
        // The original mjpg-streamer's ?action=stream response as recorded: its head, then the parts repeated.
        var raw = Transcript.Load("02").RawResponse;
        var headEnd = raw.AsSpan().IndexOf("\r\n\r\n"u8) + 4;
        var body = raw[headEnd..];
        var jpegs = Multipart.Parse(body).Select(p => p.Jpeg).ToList();
        Assert.Equal(4, jpegs.Count);
        var cycle = body[..body.AsSpan().LastIndexOf("--boundarydonotcross\r\n"u8)];
        if (withoutContentLength)
        {
            cycle = Encoding.Latin1.GetBytes(ContentLengthLine().Replace(Encoding.Latin1.GetString(cycle), ""));
        }

        await using var upstream = new StubMjpegUpstream(async (_, stream, cancellation) =>
        {
            await stream.WriteAsync(raw.AsMemory(0, headEnd), cancellation);
            await StubMjpegUpstream.RepeatAsync(stream, cycle, TimeSpan.FromMilliseconds(200), cancellation);
        });
        await using var relay = await StartRelayAsync($"-H 127.0.0.1 -p {upstream.Port}");
        await ExpectRelayedAsync(relay, jpegs);
        Assert.StartsWith("GET /?action=stream HTTP/1.1\r\n", upstream.Requests[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ustreamer", "/stream", "HTTP/1.0 200 OK", "multipart/x-mixed-replace;boundary=boundarydonotcross", "boundarydonotcross", true, false)]
    [InlineData("quoted boundary, chunked, no lengths", "/video.mjpg?x=1", "HTTP/1.1 200 OK", "multipart/x-mixed-replace; boundary=\"frame\"", "frame", false, true)]
    [InlineData("dashes in the declared boundary, chunked, lengths", "/cam", "HTTP/1.1 200 OK", "multipart/x-mixed-replace; boundary=--myboundary", "myboundary", true, true)]
    [InlineData("a boundary that is not in the body before the first part", "/s", "HTTP/1.1 200 OK", "multipart/x-mixed-replace;boundary=ThisRandomString", "ThisRandomString", false, false)]
    public async Task Relays_other_framings(string what, string path, string statusLine, string contentType, string boundary, bool lengths, bool chunked)
    {
        var jpegs = Directory.GetFiles(TestMedia.FramesFolder, "*.jpg").Order(StringComparer.Ordinal).Take(5).Select(File.ReadAllBytes).ToList();
        var parts = new MemoryStream();
        foreach (var jpeg in jpegs)
        {
            // ustreamer's order: the boundary after each frame (so a browser shows it at once).
            parts.Write(Encoding.ASCII.GetBytes($"Content-Type: image/jpeg\r\n{(lengths ? $"Content-Length: {jpeg.Length}\r\n" : "")}X-Timestamp: 1.000000\r\n\r\n"));
            parts.Write(jpeg);
            parts.Write(Encoding.ASCII.GetBytes($"\r\n--{boundary}\r\n"));
        }

        var first = Encoding.ASCII.GetBytes($"--{boundary}\r\n");
        var cycle = parts.ToArray();
        var head = Encoding.ASCII.GetBytes($"{statusLine}\r\nContent-Type: {contentType}\r\n{(chunked ? "Transfer-Encoding: chunked\r\n" : "")}Cache-Control: no-store\r\n\r\n");
        await using var upstream = new StubMjpegUpstream(async (_, stream, cancellation) =>
        {
            await stream.WriteAsync(head, cancellation);
            await stream.WriteAsync(chunked ? StubMjpegUpstream.Chunked(first, 7) : first, cancellation);
            await StubMjpegUpstream.RepeatAsync(stream, chunked ? StubMjpegUpstream.Chunked(cycle, 1000) : cycle, TimeSpan.FromMilliseconds(250), cancellation);
        });
        await using var relay = await StartRelayAsync($"-u http://127.0.0.1:{upstream.Port}{path}");
        await ExpectRelayedAsync(relay, jpegs);
        Assert.True(upstream.Requests[0].StartsWith($"GET {path} HTTP/1.1\r\n", StringComparison.Ordinal), what);
    }

    [Fact]
    public async Task A_snapshot_url_is_fetched_again_each_second_and_the_input_keeps_streaming()
    {
        var jpegs = Directory.GetFiles(TestMedia.FramesFolder, "*.jpg").Order(StringComparer.Ordinal).Take(2).Select(File.ReadAllBytes).ToList();
        var served = 0;
        await using var upstream = new StubMjpegUpstream(async (_, stream, cancellation) =>
        {
            var jpeg = jpegs[Interlocked.Increment(ref served) % 2];
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: {jpeg.Length}\r\n\r\n"), cancellation);
            await stream.WriteAsync(jpeg, cancellation);
        });
        await using var relay = await StartRelayAsync($"-u http://127.0.0.1:{upstream.Port}/?action=snapshot");
        await ServerState.WaitForAsync(relay, "streaming", wait: Wait);
        await using var client = await MjpegClient.ConnectAsync(relay.Port);
        var expected = jpegs.Select(Hash).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (seen.Count < 2)
        {
            var hash = Hash((await client.NextAsync()).Jpeg);
            Assert.Contains(hash, expected);
            seen.Add(hash);
        }

        Assert.True(upstream.Requests.Count >= 2);
        Assert.Equal("streaming", (await ServerState.InputAsync(relay)).GetProperty("state").GetString());
        Assert.DoesNotContain("no_signal", relay.Stderr, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(relay.Stderr, "input_http: relaying "));
    }

    [Fact]
    public async Task Basic_auth_relays_with_the_right_password_and_gives_no_signal_with_the_reason_for_a_wrong_one()
    {
        var jpegs = Directory.GetFiles(TestMedia.FramesFolder, "*.jpg").Order(StringComparer.Ordinal).Take(3).Select(File.ReadAllBytes).ToList();
        var good = "Authorization: Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("viewer:r1ght:pw")) + "\r\n";
        await using var upstream = new StubMjpegUpstream(async (request, stream, cancellation) =>
        {
            if (!request.Contains(good, StringComparison.Ordinal))
            {
                await stream.WriteAsync("HTTP/1.0 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"cam\"\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), cancellation);
                return;
            }

            await stream.WriteAsync("HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=b\r\n\r\n"u8.ToArray(), cancellation);
            var cycle = new MemoryStream();
            foreach (var jpeg in jpegs)
            {
                cycle.Write("--b\r\nContent-Type: image/jpeg\r\n\r\n"u8);
                cycle.Write(jpeg);
                cycle.Write("\r\n"u8);
            }

            await StubMjpegUpstream.RepeatAsync(stream, cycle.ToArray(), TimeSpan.FromMilliseconds(250), cancellation);
        });

        // The password is percent-encoded in the URL (it has a colon); the wrong one is in the second input.
        await using var relay = await ServerProcess.StartAsync(
        [
            "-i", $"input_http.so -u http://viewer:r1ght%3Apw@127.0.0.1:{upstream.Port}/stream",
            "-i", $"input_http.so -u http://viewer:wr0ng@127.0.0.1:{upstream.Port}/stream",
            "-o", "output_http.so -p 0 -l 127.0.0.1",
        ]);
        await ExpectRelayedAsync(relay, jpegs);
        await ServerState.WaitForAsync(relay, "no_signal", $"127.0.0.1:{upstream.Port} answered 401 Unauthorized (wrong user or password)", input: 1, wait: Wait);
        await using (var client = await MjpegClient.ConnectAsync(relay.Port, "/?action=stream_1"))
        {
            await NextPairAsync(client, same: true);
        }

        var program = (await RawHttp.GetResponseAsync(relay.Port, "/program.json")).BodyText;
        Assert.Contains($"http://viewer:***@127.0.0.1:{upstream.Port}/stream", program, StringComparison.Ordinal);
        foreach (var secret in new[] { "r1ght", "wr0ng" })
        {
            Assert.DoesNotContain(secret, program, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, relay.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_pause_closes_the_upstream_connection_and_the_resume_connects_again()
    {
        var jpegs = Directory.GetFiles(TestMedia.FramesFolder, "*.jpg").Order(StringComparer.Ordinal).Take(2).Select(File.ReadAllBytes).ToList();
        var cycle = new MemoryStream();
        foreach (var jpeg in jpegs)
        {
            cycle.Write(Encoding.ASCII.GetBytes($"--x\r\nContent-Type: image/jpeg\r\nContent-Length: {jpeg.Length}\r\n\r\n"));
            cycle.Write(jpeg);
            cycle.Write("\r\n"u8);
        }

        await using var upstream = new StubMjpegUpstream(async (_, stream, cancellation) =>
        {
            await stream.WriteAsync("HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=x\r\n\r\n"u8.ToArray(), cancellation);
            await StubMjpegUpstream.RepeatAsync(stream, cycle.ToArray(), TimeSpan.FromMilliseconds(200), cancellation);
        });
        await using var relay = await StartRelayAsync($"-u http://127.0.0.1:{upstream.Port}/");
        await ExpectRelayedAsync(relay, jpegs);
        Assert.Single(upstream.Requests);
        Assert.Equal(0, upstream.PeerClosed);

        var paused = await RawHttp.GetResponseAsync(relay.Port, "/?action=pause&wait=1");
        Assert.Equal(200, paused.Status);
        await Eventually.UntilAsync(() => Task.FromResult(upstream.PeerClosed == 1), () => $"the relay closed its upstream connection; closed {upstream.PeerClosed}\n{relay.Stderr}", Wait);

        var resumed = await RawHttp.GetResponseAsync(relay.Port, "/?action=resume&wait=1");
        Assert.Equal(200, resumed.Status);
        await ExpectRelayedAsync(relay, jpegs);
        Assert.Equal(2, upstream.Requests.Count);
        Assert.Equal(1, upstream.PeerClosed);
    }

    [Theory]
    [InlineData("-u ftp://camera/stream", "input_http.so: only http:// URLs are supported, not 'ftp://camera/stream'")]
    [InlineData("-u camera:8080", "input_http.so: 'camera:8080' is not an http:// URL")]
    [InlineData("-u http://camera:99999/", "input_http.so: bad port '99999' in 'http://camera:99999/'")]
    [InlineData("-u http://u:secret@/x", "input_http.so: no host in 'http://u:***@/x'")]
    [InlineData("-u http://camera/ -p 8080", "input_http.so: -u gives the whole URL; leave out -H and -p")]
    [InlineData("-p 0", "input_http.so: -p '0' is not a whole number from 1 to 65535")]
    [InlineData("-timeout soon", "input_http.so: -timeout 'soon' is not a whole number from 0 to 3600")]
    [InlineData("-x", "input_http.so: unknown option '-x'")]
    public async Task Bad_options_exit_2_with_one_line(string args, string message)
    {
        var run = await ProgramRun.RunAsync("--pause-file", "none", "-i", "input_http.so " + args, "-o", "output_http.so -p 0 -l 127.0.0.1");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal([$"mjpg_streamer: {message}", "Try 'mjpg_streamer -h' for more information."], run.Stderr.TrimEnd().Split('\n'));
        Assert.DoesNotContain("secret", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_the_originals_options_and_ours()
    {
        var run = await ProgramRun.RunAsync("-i", "input_http.so --help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("HTTP Input plugin", run.Stdout, StringComparison.Ordinal);
        foreach (var option in new[] { " [-H | --host ]", " [-p | --port ]", " [-u | --url ]", " [-timeout ]" })
        {
            Assert.Contains(option, run.Stdout, StringComparison.Ordinal);
        }

        var global = await ProgramRun.RunAsync("-h");
        Assert.Contains("input_http.so", global.Stdout + global.Stderr, StringComparison.Ordinal);
    }

    private static Task<ServerProcess> StartRelayAsync(string pluginArgs) =>
        ServerProcess.StartAsync(["-i", "input_http.so " + pluginArgs, "-o", "output_http.so -p 0 -l 127.0.0.1"]);

    /// <summary>The relay streams the expected pictures: a stream client gets them (after any NO SIGNAL first), and so does a snapshot.</summary>
    private static async Task ExpectRelayedAsync(ServerProcess relay, IReadOnlyList<byte[]> jpegs)
    {
        var expected = jpegs.Select(Hash).ToHashSet(StringComparer.Ordinal);
        await ServerState.WaitForAsync(relay, "streaming", wait: Wait);
        await using var client = await MjpegClient.ConnectAsync(relay.Port);
        await client.NextMatchingAsync(part => expected.Contains(Hash(part.Jpeg)), Wait);
        for (var i = 0; i < 3; i++)
        {
            Assert.Contains(Hash((await client.NextAsync()).Jpeg), expected);
        }

        var snapshot = await RawHttp.GetResponseAsync(relay.Port, "/?action=snapshot");
        Assert.Equal(200, snapshot.Status);
        Assert.Contains(Hash(snapshot.Body), expected);
    }

    /// <summary>
    /// Reads until two frames in a row are the same bytes (<paramref name="same"/>: the NO SIGNAL picture, which
    /// is rendered once and sent again), or until three in a row all differ (live test-pattern frames, each one
    /// new; a NO SIGNAL picture still buffered can be at most one of them).
    /// </summary>
    private static async Task NextPairAsync(MjpegClient client, bool same)
    {
        var deadline = DateTime.UtcNow + Wait;
        var recent = new List<string> { Hash((await client.NextAsync()).Jpeg) };
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, same ? "no NO SIGNAL picture came" : "no live frames came");
            var next = Hash((await client.NextAsync()).Jpeg);
            if (same && next == recent[^1])
            {
                return;
            }

            recent.Add(next);
            if (!same && recent.Count >= 3 && recent.TakeLast(3).Distinct().Count() == 3)
            {
                return;
            }
        }
    }

    private static string Hash(byte[] data) => Convert.ToHexString(SHA256.HashData(data));

    [GeneratedRegex("Content-Length: [0-9]+\r\n")]
    private static partial Regex ContentLengthLine();
}
