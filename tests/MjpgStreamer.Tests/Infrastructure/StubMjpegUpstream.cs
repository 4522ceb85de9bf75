using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>
/// An MJPEG server on a free loopback port for input_http's tests: each connection's request head is recorded,
/// then the test's function writes the response (its bytes exactly as given). A connection the client closes is
/// counted (<see cref="PeerClosed"/>) and its writer cancelled.
/// </summary>
public sealed class StubMjpegUpstream : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<string, Stream, CancellationToken, Task> _serve;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<string> _requests = [];
    private readonly List<Task> _connections = [];
    private readonly Task _loop;
    private int _peerClosed;

    /// <param name="serve">Writes one response: gets the request head (request line and headers) and the connection.</param>
    /// <param name="port">0 for a free port, or a port to listen on again (a restarted upstream).</param>
    public StubMjpegUpstream(Func<string, Stream, CancellationToken, Task> serve, int port = 0)
    {
        _serve = serve;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _loop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The request heads received so far, in order.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Connections the client closed (its FIN or reset seen).</summary>
    public int PeerClosed => Volatile.Read(ref _peerClosed);

    /// <summary>Repeats <paramref name="body"/> (written in pieces of <paramref name="piece"/> bytes) every <paramref name="pause"/> until the client goes.</summary>
    public static async Task RepeatAsync(Stream stream, byte[] body, TimeSpan pause, CancellationToken cancellation, int piece = 1400)
    {
        while (!cancellation.IsCancellationRequested)
        {
            for (var at = 0; at < body.Length; at += piece)
            {
                await stream.WriteAsync(body.AsMemory(at, Math.Min(piece, body.Length - at)), cancellation);
            }

            await stream.FlushAsync(cancellation);
            await Task.Delay(pause, cancellation);
        }
    }

    /// <summary>The bytes as one HTTP/1.1 chunked body: chunks of <paramref name="chunk"/> bytes, so their borders fall anywhere.</summary>
    public static byte[] Chunked(byte[] data, int chunk)
    {
        using var output = new MemoryStream();
        for (var at = 0; at < data.Length; at += chunk)
        {
            var n = Math.Min(chunk, data.Length - at);
            output.Write(Encoding.ASCII.GetBytes($"{n:x}\r\n"));
            output.Write(data, at, n);
            output.Write("\r\n"u8);
        }

        return output.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        Task[] connections;
        lock (_gate)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            lock (_gate)
            {
                _connections.Add(HandleAsync(client));
            }
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using var _ = client;
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var stream = client.GetStream();
        try
        {
            var head = await ReadHeadAsync(stream, connection.Token);
            lock (_gate)
            {
                _requests.Add(head);
            }

            // The client going away (a read that ends) stops the writer.
            var watch = WatchCloseAsync(stream, connection);
            try
            {
                await _serve(head, stream, connection.Token);
            }
            finally
            {
                await connection.CancelAsync();
                await watch;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task WatchCloseAsync(Stream stream, CancellationTokenSource connection)
    {
        var buffer = new byte[256];
        try
        {
            while (await stream.ReadAsync(buffer, connection.Token) > 0)
            {
            }

            Interlocked.Increment(ref _peerClosed);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (IOException)
        {
            Interlocked.Increment(ref _peerClosed);
        }

        await connection.CancelAsync();
    }

    private static async Task<string> ReadHeadAsync(Stream stream, CancellationToken cancellation)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < 16384)
        {
            if (await stream.ReadAsync(one, cancellation) == 0)
            {
                throw new IOException("closed before the request ended");
            }

            bytes.Add(one[0]);
            if (bytes.Count >= 4 && bytes[^1] == '\n' && bytes[^2] == '\r' && bytes[^3] == '\n' && bytes[^4] == '\r')
            {
                break;
            }
        }

        return Encoding.ASCII.GetString([.. bytes]);
    }
}
