using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MjpgStreamer.Http;

/// <summary>
/// Bodies without a length (the stream, JSON, command answers, files) go out plain and end when the connection
/// closes, for HTTP/1.1 clients too, as mjpg-streamer sends them: Kestrel chunks such a body for an HTTP/1.1
/// request and offers no switch for it (neither <c>Connection: close</c> nor any feature stops it). Every answer of
/// ours says <c>Connection: close</c> and closes, so a request's version can only choose the framing. This
/// connection middleware, the innermost (under TLS, so it sees plain text), turns the <c>HTTP/1.1</c> of the
/// connection's first request line into <c>HTTP/1.0</c> in place (one byte, no copy) before Kestrel parses it;
/// Kestrel then writes the same headers and the body as it is, and closes. Kestrel's one other difference for
/// HTTP/1.1, the 400 for a request without <c>Host</c>, is kept by <see cref="HttpApi"/> through
/// <see cref="ISentHttp11Feature"/>. Later reads pass straight through.
/// </summary>
internal static class CloseDelimitedBodies
{
    /// <summary>Kestrel's default request-line limit: a longer first line is left to Kestrel to refuse.</summary>
    private const int MaxRequestLine = 8 * 1024;

    public static void UseCloseDelimitedBodies(this ListenOptions listen) =>
        listen.Use(next => connection =>
        {
            var input = new FirstRequestLine(connection.Transport.Input);
            connection.Features.Set<ISentHttp11Feature>(input);
            connection.Transport = new Duplex(input, connection.Transport.Output);
            return next(connection);
        });

    /// <summary>
    /// Looks at the first line: when it ends in " HTTP/1.1" (CRLF or a bare LF), its last digit becomes 0. The
    /// bytes are the transport's own buffer, which nothing else reads.
    /// </summary>
    internal static bool Rewrite(ReadOnlySequence<byte> buffer, out bool looking)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryAdvanceTo((byte)'\n', advancePastDelimiter: false))
        {
            looking = buffer.Length < MaxRequestLine;
            return false;
        }

        looking = false;
        var lineLength = reader.Consumed;
        Span<byte> tail = stackalloc byte[10];
        var take = (int)Math.Min(lineLength, tail.Length);
        buffer.Slice(lineLength - take, take).CopyTo(tail);
        var version = tail[..take];
        if (version.Length > 0 && version[^1] == (byte)'\r')
        {
            version = version[..^1];
        }

        if (!version.EndsWith(" HTTP/1.1"u8))
        {
            return false;
        }

        var digitAt = lineLength - (take - version.Length) - 1;
        var digit = buffer.Slice(digitAt, 1).First;
        MemoryMarshal.AsMemory(digit).Span[0] = (byte)'0';
        return true;
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }

    /// <summary>The transport's reader, with the first request line rewritten (see <see cref="CloseDelimitedBodies"/>).</summary>
    private sealed class FirstRequestLine(PipeReader inner) : PipeReader, ISentHttp11Feature
    {
        private bool _looking = true;

        public bool SentHttp11 { get; private set; }

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            if (!_looking)
            {
                return inner.ReadAsync(cancellationToken);
            }

            var pending = inner.ReadAsync(cancellationToken);
            return pending.IsCompletedSuccessfully ? new ValueTask<ReadResult>(Inspect(pending.Result)) : InspectAsync(pending);
        }

        public override bool TryRead(out ReadResult result)
        {
            if (!inner.TryRead(out result))
            {
                return false;
            }

            if (_looking)
            {
                result = Inspect(result);
            }

            return true;
        }

        private async ValueTask<ReadResult> InspectAsync(ValueTask<ReadResult> pending) => Inspect(await pending);

        private ReadResult Inspect(ReadResult result)
        {
            if (_looking && !result.IsCanceled)
            {
                SentHttp11 = Rewrite(result.Buffer, out _looking);
                if (result.IsCompleted)
                {
                    _looking = false;
                }
            }

            return result;
        }

        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }
}

/// <summary>The client's first request line said HTTP/1.1 (Kestrel was shown HTTP/1.0: <see cref="CloseDelimitedBodies"/>).</summary>
internal interface ISentHttp11Feature
{
    bool SentHttp11 { get; }
}
