using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MjpgStreamer.Soak;

/// <summary>How one raw exchange ended.</summary>
public enum ExchangeOutcome
{
    /// <summary>A response head arrived (<see cref="ExchangeResult.Status"/>).</summary>
    Answered,

    /// <summary>The server closed (or reset) the connection without a response head.</summary>
    Closed,

    /// <summary>Neither within the time allowed.</summary>
    TimedOut,

    /// <summary>The connection could not be made.</summary>
    ConnectFailed,
}

/// <summary>The result of <see cref="RawHttp.ExchangeAsync"/>: the outcome, the status, the body when it was read.</summary>
public readonly record struct ExchangeResult(ExchangeOutcome Outcome, int Status, byte[] Body, TimeSpan Elapsed);

/// <summary>Raw bytes to the server and what came back, with a time limit; never throws for network errors.</summary>
public static class RawHttp
{
    private const int MaxResponse = 4 * 1024 * 1024;

    public static byte[] Request(string method, string target, params string[] headers)
    {
        var text = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        foreach (var header in headers)
        {
            text.Append(header).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(text.Append("\r\n").ToString());
    }

    /// <summary>
    /// Sends <paramref name="request"/> (then half-closes when <paramref name="halfClose"/>) and reads the response head;
    /// with <paramref name="readBody"/>, or for an error status (400 and above), it reads on until the server closes.
    /// </summary>
    public static async Task<ExchangeResult> ExchangeAsync(int port, ReadOnlyMemory<byte> request, TimeSpan timeout, bool readBody = false, bool halfClose = false, CancellationToken cancellationToken = default)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), limit.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return new(ExchangeOutcome.ConnectFailed, 0, [], System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }

        var received = new MemoryStream();
        var headEnd = -1;
        try
        {
            if (request.Length > 0)
            {
                await socket.SendAsync(request, SocketFlags.None, limit.Token).ConfigureAwait(false);
            }

            if (halfClose)
            {
                socket.Shutdown(SocketShutdown.Send);
            }

            var buffer = new byte[16 * 1024];
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, limit.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                received.Write(buffer, 0, n);
                if (headEnd < 0)
                {
                    headEnd = HeadEnd(received.GetBuffer().AsSpan(0, (int)received.Length));
                }

                // An error page is short and the server closes after it: read it too (a 500 must say why).
                if ((headEnd >= 0 && !readBody && ParseStatus(received.ToArray()) < 400) || received.Length > MaxResponse)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (headEnd < 0)
            {
                return new(ExchangeOutcome.TimedOut, 0, [], System.Diagnostics.Stopwatch.GetElapsedTime(started));
            }
        }
        catch (SocketException)
        {
            // A reset: closed.
        }

        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var bytes = received.ToArray();
        if (headEnd < 0)
        {
            headEnd = HeadEnd(bytes);
        }

        if (headEnd < 0)
        {
            return new(ExchangeOutcome.Closed, 0, [], elapsed);
        }

        return new(ExchangeOutcome.Answered, ParseStatus(bytes), bytes[headEnd..], elapsed);
    }

    private static int HeadEnd(ReadOnlySpan<byte> data)
    {
        var i = data.IndexOf("\r\n\r\n"u8);
        return i < 0 ? -1 : i + 4;
    }

    private static int ParseStatus(byte[] response)
    {
        // "HTTP/1.1 200 OK"
        var line = Encoding.ASCII.GetString(response, 0, Math.Min(response.Length, 64));
        var parts = line.Split(' ', 3);
        return parts.Length >= 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status) ? status : -1;
    }
}
