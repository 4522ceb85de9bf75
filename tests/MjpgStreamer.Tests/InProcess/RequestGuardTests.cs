using System.Globalization;
using System.Net.Sockets;
using System.Text;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.InProcess;

/// <summary>
/// What output_http refuses before a request reaches its endpoint, over the wire: side effects a browser marks
/// as cross-site (Sec-Fetch-Site, Origin), Host names not in -hosts, and Access-Control-Allow-Origin only on frames.
/// </summary>
public sealed class RequestGuardTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    /// <summary>Routes with a side effect; each answers at once when it is let through (404, 200 or the command's result).</summary>
    private static readonly string[] SideEffectTargets =
    [
        "/?action=command&dest=0&plugin=0&id=1&group=1&value=1",
        "/?action=pause",
        "/?action=resume",
        "/?action=take&filename=x.jpg",
        "/?action=still_7",
        "/still?input=7",
    ];

    /// <summary>Routes without one: never refused for where the request comes from.</summary>
    private static readonly string[] ReadOnlyTargets =
    [
        "/?action=stream",
        "/stream?input=7",
        "/?action=snapshot_7",
        "/state",
        "/program.json",
        "/input.json",
        "/output.json",
        "/",
    ];

    private static readonly string?[] FetchSites = [null, "cross-site", "same-site", "same-origin", "none"];

    [Fact]
    public async Task Side_effects_are_refused_when_the_browser_says_cross_site_and_everything_else_answers()
    {
        await using var server = await InProcessServer.StartAsync();
        var self = $"127.0.0.1:{server.Port.ToString(CultureInfo.InvariantCulture)}";
        string?[] origins = [null, $"http://{self}", "http://evil.example", $"http://127.0.0.1:{(server.Port + 1).ToString(CultureInfo.InvariantCulture)}", $"http://localhost:{server.Port.ToString(CultureInfo.InvariantCulture)}", "null"];
        var failures = new List<string>();
        var cases = 0;
        foreach (var target in SideEffectTargets.Concat(ReadOnlyTargets))
        {
            var sideEffect = SideEffectTargets.Contains(target);
            foreach (var fetchSite in FetchSites)
            {
                foreach (var origin in origins)
                {
                    // The browser's Sec-Fetch-Site decides when it is sent; without it, an Origin of another host:port.
                    var crossSite = fetchSite is "cross-site" or "same-site" || (fetchSite is null && origin is not null && origin != $"http://{self}");
                    var expectRefused = sideEffect && crossSite;
                    var answer = await ExchangeAsync(server.Port, target, self, Headers(("Sec-Fetch-Site", fetchSite), ("Origin", origin)));
                    cases++;
                    var refused = answer.Status == 403;
                    if (refused != expectRefused)
                    {
                        failures.Add($"{target} Sec-Fetch-Site={fetchSite ?? "-"} Origin={origin ?? "-"}: {answer.StatusLine}");
                    }
                    else if (refused && !answer.BodyText.StartsWith("403: Forbidden!\r\ncross-site request refused: ", StringComparison.Ordinal))
                    {
                        failures.Add($"{target}: refused without the reason: {answer.BodyText}");
                    }
                }
            }
        }

        Assert.Equal(14 * 5 * 6, cases);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task A_refused_side_effect_has_no_effect_and_the_same_request_from_our_own_page_or_a_script_does()
    {
        await using var server = await InProcessServer.StartAsync();
        var self = $"127.0.0.1:{server.Port.ToString(CultureInfo.InvariantCulture)}";

        var refused = await ExchangeAsync(server.Port, "/?action=pause", self, "Sec-Fetch-Site: cross-site\r\nOrigin: http://evil.example\r\n");
        Assert.Equal("403: Forbidden!\r\ncross-site request refused: Sec-Fetch-Site: cross-site", refused.BodyText);
        Assert.False(server.Pause.Status.Paused, "a refused pause paused");

        var ours = await ExchangeAsync(server.Port, "/?action=pause", self, $"Sec-Fetch-Site: same-origin\r\nOrigin: http://{self}\r\n");
        Assert.Equal(200, ours.Status);
        Assert.True(server.Pause.Status.ByHttp);

        var script = await ExchangeAsync(server.Port, "/?action=resume", self, "");
        Assert.Equal(200, script.Status);
        Assert.False(server.Pause.Status.Paused);
    }

    [Theory]
    [InlineData("octopi.local", "http://octopi.local", 200)] // HAProxy on port 80 at /webcam/: Host and Origin are the proxy's
    [InlineData("octopi.local", "https://octopi.local", 200)] // the same behind TLS: no port means the page's default
    [InlineData("octopi.local:8443", "https://octopi.local:8443", 200)]
    [InlineData("OctoPi.local", "http://octopi.LOCAL", 200)]
    [InlineData("[::1]:8080", "http://[::1]:8080", 200)]
    [InlineData("octopi.local", "http://octopi.local:8080", 403)]
    [InlineData("octopi.local:8080", "http://octopi.local", 403)]
    [InlineData("octopi.local", "http://octopi.local.evil.example", 403)]
    [InlineData("[::1]:8080", "http://[::2]:8080", 403)]
    [InlineData("octopi.local", "file://", 403)]
    public async Task An_origin_is_this_server_when_its_host_and_port_are_the_Host_headers(string host, string origin, int status)
    {
        await using var server = await InProcessServer.StartAsync();
        var answer = await ExchangeAsync(server.Port, "/?action=command&dest=2&id=1", host, $"Origin: {origin}\r\n");
        Assert.Equal(status, answer.Status);
    }

    [Theory]
    [InlineData("octopi.local", 200)]
    [InlineData("OCTOPI.local:8080", 200)]
    [InlineData("octopi.local.", 200)]
    [InlineData("192.168.1.5", 200)]
    [InlineData("192.168.1.5:80", 200)]
    [InlineData("[::1]:8080", 200)]
    [InlineData("[0:0::1]", 200)]
    [InlineData("evil.example", 403)]
    [InlineData("evil.example:80", 403)]
    [InlineData("octopi.local.evil.example", 403)]
    [InlineData("192.168.1.6", 403)]
    [InlineData("[::2]:8080", 403)]
    [InlineData("127.0.0.1", 403)]
    public async Task With_hosts_only_the_listed_Host_names_are_answered(string host, int status)
    {
        await using var server = await InProcessServer.StartAsync(o => o with { Hosts = ["octopi.local", "192.168.1.5", "[::1]"] });
        foreach (var target in new[] { "/state", "/?action=stream" })
        {
            var answer = await ExchangeAsync(server.Port, target, host, "");
            Assert.Equal(status, answer.Status);
            if (status == 403)
            {
                Assert.Equal("403: Forbidden!\r\nthis server does not answer to that Host name (-hosts)", answer.BodyText);
            }
        }
    }

    [Fact]
    public async Task Without_hosts_any_Host_is_answered()
    {
        await using var server = await InProcessServer.StartAsync();
        Assert.Equal(200, (await ExchangeAsync(server.Port, "/state", "evil.example", "")).Status);
    }

    [Fact]
    public async Task With_hosts_an_http_1_0_request_without_Host_is_judged_by_the_address_it_dialled()
    {
        await using (var listed = await InProcessServer.StartAsync(o => o with { Hosts = ["octopi.local", "127.0.0.1"] }))
        {
            Assert.Equal(200, (await WithoutHostAsync(listed.Port)).Status);
        }

        await using var unlisted = await InProcessServer.StartAsync(o => o with { Hosts = ["octopi.local"] });
        Assert.Equal(403, (await WithoutHostAsync(unlisted.Port)).Status);

        static async Task<HttpResponse> WithoutHostAsync(int port) =>
            HttpResponse.Parse(await RawHttp.SendAsync(port, "GET /state HTTP/1.0\r\n\r\n"u8.ToArray()));
    }

    [Fact]
    public async Task Access_control_allow_origin_is_sent_on_frames_only()
    {
        await using var server = await InProcessServer.StartAsync();
        var self = $"127.0.0.1:{server.Port.ToString(CultureInfo.InvariantCulture)}";

        var stream = await ExchangeAsync(server.Port, "/?action=stream", self, "");
        Assert.Equal((200, "*"), (stream.Status, stream.Header("Access-Control-Allow-Origin")));

        // The stream client counts in Demand until the server has seen it leave: without this wait "Demand == 1"
        // could be the stream's, the frame go out before the snapshot waits, and the snapshot wait for ever.
        await Eventually.UntilAsync(() => server.Input.Hub.Demand == 0, "the stream client has left");
        var snapshotRequest = ExchangeAsync(server.Port, "/?action=snapshot", self, "");
        await Eventually.UntilAsync(() => server.Input.Hub.Demand == 1, "the snapshot waits for a frame");
        server.Source.Publish(1);
        var snapshot = await snapshotRequest;
        Assert.Equal((200, "*"), (snapshot.Status, snapshot.Header("Access-Control-Allow-Origin")));

        var stillRequest = ExchangeAsync(server.Port, "/?action=still", self, "");
        await server.Source.StillAsked.WaitAsync(Bound);
        server.Source.CompleteStill(HandFedSource.Jpeg(2, 1000));
        var still = await stillRequest;
        Assert.Equal(200, still.Status);
        Assert.Null(still.Header("Access-Control-Allow-Origin"));

        foreach (var target in new[] { "/state", "/program.json", "/input.json", "/output.json", "/", "/?action=command&dest=2&id=1", "/?action=resume", "/nothing.html" })
        {
            var answer = await ExchangeAsync(server.Port, target, self, "");
            Assert.True(answer.Header("Access-Control-Allow-Origin") is null, $"{target} ({answer.StatusLine}) sends Access-Control-Allow-Origin");
        }
    }

    private static string Headers(params (string Name, string? Value)[] headers) =>
        string.Concat(headers.Where(h => h.Value is not null).Select(h => $"{h.Name}: {h.Value}\r\n"));

    /// <summary>One HTTP/1.1 request with the given Host and headers; a stream is read to the end of its head only.</summary>
    private static async Task<HttpResponse> ExchangeAsync(int port, string target, string host, string headers)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: {host}\r\n{headers}Connection: close\r\n\r\n"));
        using var timeout = new CancellationTokenSource(Bound);
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var n = await stream.ReadAsync(buffer, timeout.Token);
            if (n == 0)
            {
                break;
            }

            received.Write(buffer, 0, n);
            var head = Encoding.ASCII.GetString(received.GetBuffer(), 0, (int)received.Length);
            if (head.Contains("\r\n\r\n", StringComparison.Ordinal) && head.Contains("multipart/x-mixed-replace", StringComparison.OrdinalIgnoreCase))
            {
                break;
            }
        }

        return HttpResponse.Parse(received.ToArray());
    }
}
