using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace MjpgStreamer.Http;

/// <summary>
/// On an HTTPS port (-cert), a client that speaks plain HTTP gets a short plain-text 400 saying so, then the
/// connection closes; anything whose first byte starts a TLS handshake record goes on to Kestrel's TLS.
/// Without this a browser told http:// would see only "empty reply".
/// </summary>
internal static class PlainHttpOnHttpsPort
{
    private const byte TlsHandshakeRecord = 0x16;

    private static readonly TimeSpan FirstByteTimeout = TimeSpan.FromSeconds(8);

    private static readonly byte[] Answer = BuildAnswer();

    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware(TimeProvider time) => next => connection => HandleAsync(connection, next, time);

    private static async Task HandleAsync(ConnectionContext connection, ConnectionDelegate next, TimeProvider time)
    {
        var input = connection.Transport.Input;
        bool tls;
        try
        {
            using var timeout = new CancellationTokenSource(FirstByteTimeout, time);
            using var closed = connection.ConnectionClosed.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), timeout);
            var read = await input.ReadAsync(timeout.Token);
            if (read.Buffer.IsEmpty)
            {
                input.AdvanceTo(read.Buffer.End);
                return;
            }

            tls = read.Buffer.FirstSpan[0] == TlsHandshakeRecord;
            // TLS: nothing consumed, Kestrel reads the same bytes again. Plain HTTP: what came is consumed, so
            // closing does not reset the connection before the client has read the answer.
            input.AdvanceTo(tls ? read.Buffer.Start : read.Buffer.End);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionResetException or ConnectionAbortedException)
        {
            return;
        }

        if (tls)
        {
            await next(connection);
            return;
        }

        try
        {
            await connection.Transport.Output.WriteAsync(Answer);
            await connection.Transport.Output.CompleteAsync();
        }
        catch (Exception ex) when (ex is IOException or ConnectionResetException or ConnectionAbortedException or InvalidOperationException)
        {
        }
    }

    private static byte[] BuildAnswer()
    {
        const string body = "This port speaks HTTPS only: use https:// in the address.\r\n";
        return System.Text.Encoding.ASCII.GetBytes(
            "HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n" +
            $"Content-Length: {body.Length}\r\n\r\n{body}");
    }
}
