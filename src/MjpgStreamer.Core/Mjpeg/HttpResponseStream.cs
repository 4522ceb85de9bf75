using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text;

namespace MjpgStreamer.Core.Mjpeg;

/// <summary>
/// The response of an HTTP server on a connected stream, as input_http reads it: <see cref="ReadHeadAsync"/>
/// reads the status line and the headers, then the stream reads the body: bytes up to the close (HTTP/1.0
/// and close-delimited HTTP/1.1), up to Content-Length, or de-chunked (Transfer-Encoding: chunked). One
/// buffer for the whole connection; a read allocates nothing (at most a pooled state machine per wait while
/// de-chunking). Not thread-safe; the inner stream is not disposed.
/// </summary>
public sealed class HttpResponseStream : Stream
{
    /// <summary>A response head longer than this is not an MJPEG server's.</summary>
    public const int MaxHeadBytes = 16 * 1024;

    private const int MaxChunkLineBytes = 1024;

    private readonly Stream _inner;
    private readonly byte[] _buffer = new byte[MaxHeadBytes];
    private int _start;
    private int _end;
    private bool _chunked;
    private long _remaining = -1; // body bytes left (Content-Length), -1: up to the close
    private long _chunkLeft;       // bytes left in the current chunk
    private bool _chunkNeedsCrlf;  // the CRLF after a chunk's data is still to come
    private bool _ended;

    public HttpResponseStream(Stream inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
    }

    /// <summary>The status code (0 before <see cref="ReadHeadAsync"/>).</summary>
    public int StatusCode { get; private set; }

    /// <summary>The reason phrase of the status line.</summary>
    public string ReasonPhrase { get; private set; } = "";

    /// <summary>The Content-Type header, or "".</summary>
    public string ContentType { get; private set; } = "";

    /// <summary>The boundary parameter of a multipart Content-Type (without leading dashes), or null.</summary>
    public string? Boundary { get; private set; }

    /// <summary>The WWW-Authenticate header, or "".</summary>
    public string Authenticate { get; private set; } = "";

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>
    /// Reads the status line and headers. Throws <see cref="InvalidDataException"/> with a one-line reason
    /// when the bytes are not an HTTP response, <see cref="EndOfStreamException"/> when the server closes first.
    /// </summary>
    public async Task ReadHeadAsync(CancellationToken cancellation)
    {
        while (true)
        {
            // The head ends at the first blank line; some servers end lines with LF only.
            var buffered = _buffer.AsSpan(0, _end);
            var crlf = buffered.IndexOf("\r\n\r\n"u8);
            var lf = buffered.IndexOf("\n\n"u8);
            if (lf >= 0 && (crlf < 0 || lf < crlf))
            {
                ParseHead(buffered[..lf]);
                _start = lf + 2;
                return;
            }

            if (crlf >= 0)
            {
                ParseHead(buffered[..crlf]);
                _start = crlf + 4;
                return;
            }

            if (_end == _buffer.Length)
            {
                throw new InvalidDataException($"the response head is longer than {MaxHeadBytes} bytes");
            }

            var read = await _inner.ReadAsync(_buffer.AsMemory(_end), cancellation).ConfigureAwait(false);
            if (read <= 0)
            {
                throw new EndOfStreamException(_end == 0 ? "the server closed the connection without an answer" : "the server closed the connection in the response head");
            }

            _end += read;
        }
    }

    private void ParseHead(ReadOnlySpan<byte> head)
    {
        var lf = head.IndexOf((byte)'\n');
        var status = (lf < 0 ? head : head[..lf]).TrimEnd((byte)'\r');
        var rest = lf < 0 ? [] : head[(lf + 1)..];

        // "HTTP/1.x 200 OK"
        var sp = status.IndexOf((byte)' ');
        if (!status.StartsWith("HTTP/"u8) || sp < 0
            || !Utf8Parser.TryParse(status[(sp + 1)..], out int code, out var used) || used != 3)
        {
            var shown = Encoding.ASCII.GetString(status[..Math.Min(status.Length, 40)]);
            throw new InvalidDataException($"not an HTTP response: '{Diagnostics.LogText.Escape(shown)}'");
        }

        StatusCode = code;
        ReasonPhrase = Encoding.ASCII.GetString(status[(sp + 1 + used)..].Trim((byte)' '));
        while (!rest.IsEmpty)
        {
            lf = rest.IndexOf((byte)'\n');
            var line = (lf < 0 ? rest : rest[..lf]).TrimEnd((byte)'\r');
            rest = lf < 0 ? [] : rest[(lf + 1)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon].Trim((byte)' ');
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(name, "Content-Type"u8))
            {
                ContentType = Encoding.ASCII.GetString(value);
                Boundary = FindBoundary(ContentType);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                _chunked = Encoding.ASCII.GetString(value).Contains("chunked", StringComparison.OrdinalIgnoreCase);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                _remaining = Utf8Parser.TryParse(value, out long length, out var n) && n == value.Length && length >= 0 ? length : -1;
            }
            else if (Ascii.EqualsIgnoreCase(name, "WWW-Authenticate"u8))
            {
                Authenticate = Encoding.ASCII.GetString(value);
            }
        }

        if (_chunked)
        {
            // Transfer-Encoding wins over Content-Length (RFC 9112 6.3).
            _remaining = -1;
        }
    }

    private static string? FindBoundary(string contentType)
    {
        var at = contentType.IndexOf("boundary=", StringComparison.OrdinalIgnoreCase);
        if (at < 0 || !contentType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var boundary = contentType[(at + "boundary=".Length)..];
        var end = boundary.IndexOf(';', StringComparison.Ordinal);
        boundary = (end < 0 ? boundary : boundary[..end]).Trim().Trim('"');
        if (boundary.StartsWith("--", StringComparison.Ordinal))
        {
            boundary = boundary[2..];
        }

        return boundary.Length == 0 ? null : boundary;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_ended || buffer.IsEmpty || _remaining == 0)
        {
            return ValueTask.FromResult(0);
        }

        if (_chunked)
        {
            return ReadChunkedAsync(buffer, cancellationToken);
        }

        if (_remaining > 0 && buffer.Length > _remaining)
        {
            buffer = buffer[..(int)_remaining];
        }

        if (_start < _end)
        {
            return ValueTask.FromResult(TakeBuffered(buffer.Span));
        }

        if (_remaining < 0)
        {
            return _inner.ReadAsync(buffer, cancellationToken);
        }

        return ReadCountedAsync(buffer, cancellationToken);
    }

    private int TakeBuffered(Span<byte> destination)
    {
        var n = Math.Min(destination.Length, _end - _start);
        _buffer.AsSpan(_start, n).CopyTo(destination);
        _start += n;
        if (_remaining > 0)
        {
            _remaining -= n;
        }

        return n;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadCountedAsync(Memory<byte> buffer, CancellationToken cancellation)
    {
        var n = await _inner.ReadAsync(buffer, cancellation).ConfigureAwait(false);
        if (n <= 0)
        {
            _ended = true;
            return 0;
        }

        _remaining -= n;
        return n;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadChunkedAsync(Memory<byte> buffer, CancellationToken cancellation)
    {
        while (_chunkLeft == 0)
        {
            // The next chunk's size line (after the CRLF that ends the previous chunk's data).
            var window = _buffer.AsSpan(_start, _end - _start);
            var lf = window.IndexOf((byte)'\n');
            if (lf < 0)
            {
                if (window.Length > MaxChunkLineBytes)
                {
                    throw new InvalidDataException("bad chunked encoding: a chunk line is too long");
                }

                if (!await FillAsync(cancellation).ConfigureAwait(false))
                {
                    _ended = true;
                    return 0;
                }

                continue;
            }

            var line = window[..lf].TrimEnd((byte)'\r');
            _start += lf + 1;
            if (_chunkNeedsCrlf)
            {
                _chunkNeedsCrlf = false;
                if (!line.IsEmpty)
                {
                    throw new InvalidDataException("bad chunked encoding: no CRLF after a chunk");
                }

                continue;
            }

            var semicolon = line.IndexOf((byte)';');
            var digits = (semicolon < 0 ? line : line[..semicolon]).Trim(" \t"u8);
            if (!Utf8Parser.TryParse(digits, out long size, out var used, 'X') || used != digits.Length || digits.IsEmpty || size < 0)
            {
                throw new InvalidDataException("bad chunked encoding: a chunk size is not a hex number");
            }

            if (size == 0)
            {
                // The last chunk: the body is complete (trailers are not read).
                _ended = true;
                return 0;
            }

            _chunkLeft = size;
            _chunkNeedsCrlf = true;
        }

        var limit = (int)Math.Min(buffer.Length, _chunkLeft);
        int n;
        if (_start < _end)
        {
            n = Math.Min(limit, _end - _start);
            _buffer.AsSpan(_start, n).CopyTo(buffer.Span);
            _start += n;
        }
        else
        {
            n = await _inner.ReadAsync(buffer[..limit], cancellation).ConfigureAwait(false);
            if (n <= 0)
            {
                _ended = true;
                return 0;
            }
        }

        _chunkLeft -= n;
        return n;
    }

    /// <summary>Reads more bytes into the buffer (compacting it first); false at the end of the stream.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> FillAsync(CancellationToken cancellation)
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        var n = await _inner.ReadAsync(_buffer.AsMemory(_end), cancellation).ConfigureAwait(false);
        if (n <= 0)
        {
            return false;
        }

        _end += n;
        return true;
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
