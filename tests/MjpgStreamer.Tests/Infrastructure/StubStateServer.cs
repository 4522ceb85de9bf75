using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>
/// A stand-in for the server's GET /state (and ?action=still) on a free loopback port: every request is recorded (path
/// with query, and Authorization header) and answered by the test's function, one request per connection.
/// </summary>
public sealed class StubStateServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<StubRequest, StubAnswer> _answer;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<StubRequest> _requests = [];
    private readonly Task _loop;

    public StubStateServer(Func<StubRequest, StubAnswer> answer)
    {
        _answer = answer;
        _listener.Start();
        _loop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string BaseUrl => $"http://127.0.0.1:{Port}/";

    public IReadOnlyList<StubRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>A /state body with one input per (plugin, state, reason), ids from 0, plus fields the tool must ignore.</summary>
    public static string StateJson(params (string Plugin, string State, string? Reason)[] inputs) =>
        StateJson(inputs.Select(i => (i.Plugin, i.State, i.Reason, (string?)null)).ToArray());

    public static string StateJson(params (string Plugin, string State, string? Reason, string? PauseSource)[] inputs)
    {
        var items = inputs.Select((input, id) =>
            $"{{\"id\": {id}, \"plugin\": \"{input.Plugin}\", \"state\": \"{input.State}\", " +
            $"\"reason\": {(input.Reason is null ? "null" : $"\"{input.Reason}\"")}, " +
            (input.PauseSource is null ? "" : $"\"paused_since\": \"2025-01-01T00:00:00Z\", \"pause_source\": \"{input.PauseSource}\", ") +
            "\"width\": 640, \"height\": 480, \"fps_captured\": 30, \"frames\": 123, \"last_frame_age_s\": 0.01, \"clients\": 1, \"future\": {\"x\": [1]}}");
        return $"{{\"uptime_s\": 12.3, \"inputs\": [{string.Join(", ", items)}], \"outputs\": [], \"gc\": {{}}}}";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
            var requestLine = await reader.ReadLineAsync(_stop.Token);
            if (requestLine is null)
            {
                return;
            }

            string? authorization = null;
            while (await reader.ReadLineAsync(_stop.Token) is { Length: > 0 } header)
            {
                if (header.StartsWith("Authorization:", StringComparison.OrdinalIgnoreCase))
                {
                    authorization = header["Authorization:".Length..].Trim();
                }
            }

            var request = new StubRequest(requestLine.Split(' ')[1], authorization);
            lock (_gate)
            {
                _requests.Add(request);
            }

            var answer = _answer(request);
            if (answer.Hangs)
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }

            var body = answer.Bytes ?? Encoding.UTF8.GetBytes(answer.Body);
            var head = $"HTTP/1.1 {answer.Status} {answer.Reason}\r\nContent-Type: {answer.ContentType}\r\n" +
                $"Content-Length: {body.Length}\r\nConnection: close\r\n" +
                (answer.Status == 401 ? "WWW-Authenticate: Basic realm=\"MJPG-Streamer\"\r\n" : "") + "\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
            await stream.WriteAsync(body, _stop.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }
}
