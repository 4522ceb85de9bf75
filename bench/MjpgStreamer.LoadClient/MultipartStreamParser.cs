using System.Buffers.Text;
using System.Text;

namespace MjpgStreamer.LoadClient;

/// <summary>
/// Incremental parser of an mjpg-streamer stream response: status line, response headers, then
/// "--boundary" / part headers / payload repeated. Payloads are skipped by Content-Length, never copied,
/// and nothing is allocated except an error message.
/// </summary>
internal sealed class MultipartStreamParser
{
    /// <summary>A header line longer than this is a protocol error (the caller's buffer must be larger).</summary>
    public const int MaxLineLength = 4096;

    private const string DefaultBoundary = "boundarydonotcross";

    private enum State
    {
        StatusLine,
        ResponseHeaders,
        Boundary,
        PartHeaders,
        Payload,
        PayloadEnd,
        Failed,
    }

    private State _state;
    private byte[] _boundaryLine = Encoding.ASCII.GetBytes("--" + DefaultBoundary);
    private long _contentLength = -1;
    private long _timestampUs = -1;
    private long _remaining;
    private bool _firstBoundary = true;

    public int StatusCode { get; private set; }

    /// <summary>--http11: a chunked head is accepted (the caller takes the chunks apart with <see cref="ChunkedDecoder"/>).</summary>
    public bool AllowChunked { get; init; }

    /// <summary>True once the response's status line and headers have been read.</summary>
    public bool HeadComplete => _state is State.Boundary or State.PartHeaders or State.Payload or State.PayloadEnd;

    /// <summary>Payload length of the last completed frame.</summary>
    public long FrameLength { get; private set; }

    /// <summary>X-Timestamp of the last completed frame in microseconds since the Unix epoch; -1 when the part had none.</summary>
    public long FrameTimestampUs { get; private set; } = -1;

    public string? Error { get; private set; }

    /// <summary>
    /// Consumes bytes from <paramref name="data"/> until a frame completes, more data is needed or the stream is bad.
    /// The caller keeps the unconsumed rest (at most one partial line) and passes it again with the next bytes.
    /// </summary>
    public ParseStatus Parse(ReadOnlySpan<byte> data, out int consumed)
    {
        consumed = 0;
        while (true)
        {
            if (_state == State.Failed)
            {
                return ParseStatus.Error;
            }

            var rest = data[consumed..];
            if (_state == State.Payload)
            {
                if (_remaining > rest.Length)
                {
                    _remaining -= rest.Length;
                    consumed = data.Length;
                    return ParseStatus.NeedMoreData;
                }

                consumed += (int)_remaining;
                _remaining = 0;
                _state = State.PayloadEnd;
                return ParseStatus.FrameComplete;
            }

            if (_state == State.PayloadEnd)
            {
                // Exactly CRLF must follow the payload: anything else means Content-Length was wrong.
                if (rest.Length < 2)
                {
                    return ParseStatus.NeedMoreData;
                }

                if (!rest.StartsWith("\r\n"u8))
                {
                    return Fail("no CRLF after the payload (wrong Content-Length?)");
                }

                consumed += 2;
                _state = State.Boundary;
                continue;
            }

            var newline = rest.IndexOf((byte)'\n');
            if (newline < 0)
            {
                return rest.Length >= MaxLineLength
                    ? Fail($"a header line is longer than {MaxLineLength} bytes")
                    : ParseStatus.NeedMoreData;
            }

            var line = rest[..newline];
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            consumed += newline + 1;
            if (!HandleLine(line))
            {
                return ParseStatus.Error;
            }
        }
    }

    private bool HandleLine(ReadOnlySpan<byte> line)
    {
        switch (_state)
        {
            case State.StatusLine:
                return HandleStatusLine(line);
            case State.ResponseHeaders:
                return HandleResponseHeader(line);
            case State.Boundary:
                return HandleBoundaryLine(line);
            case State.PartHeaders:
                return HandlePartHeader(line);
            default:
                return FailLine("unexpected line", line);
        }
    }

    private bool HandleStatusLine(ReadOnlySpan<byte> line)
    {
        // "HTTP/1.x 200 OK"
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || line[8] != (byte)' '
            || !Utf8Parser.TryParse(line.Slice(9, 3), out int code, out var used) || used != 3)
        {
            return FailLine("not an HTTP response", line);
        }

        StatusCode = code;
        if (code != 200)
        {
            return FailLine("the server refused the stream", line);
        }

        _state = State.ResponseHeaders;
        return true;
    }

    private bool HandleResponseHeader(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty)
        {
            _state = State.Boundary;
            return true;
        }

        if (!SplitHeader(line, out var name, out var value))
        {
            return FailLine("bad response header", line);
        }

        if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8) && !(AllowChunked && Ascii.EqualsIgnoreCase(value, "chunked"u8)))
        {
            return FailLine("chunked or encoded stream responses are not supported (the request is HTTP/1.0)", line);
        }

        if (Ascii.EqualsIgnoreCase(name, "Content-Type"u8))
        {
            if (!StartsWithIgnoreCase(value, "multipart/"u8))
            {
                return FailLine("not a multipart stream", line);
            }

            var at = IndexOfIgnoreCase(value, "boundary="u8);
            if (at >= 0)
            {
                var boundary = value[(at + "boundary=".Length)..];
                var end = boundary.IndexOf((byte)';');
                if (end >= 0)
                {
                    boundary = boundary[..end];
                }

                boundary = boundary.Trim("\" \t"u8);
                if (boundary.IsEmpty)
                {
                    return FailLine("empty boundary", line);
                }

                _boundaryLine = new byte[boundary.Length + 2];
                "--"u8.CopyTo(_boundaryLine);
                boundary.CopyTo(_boundaryLine.AsSpan(2));
            }
        }

        return true;
    }

    private bool HandleBoundaryLine(ReadOnlySpan<byte> line)
    {
        line = line.TrimEnd(" \t"u8);
        if (line.IsEmpty && _firstBoundary)
        {
            // Some servers put a CRLF before every boundary, the first one included.
            return true;
        }

        if (line.SequenceEqual(_boundaryLine))
        {
            _firstBoundary = false;
            _contentLength = -1;
            _timestampUs = -1;
            _state = State.PartHeaders;
            return true;
        }

        if (line.Length == _boundaryLine.Length + 2 && line.StartsWith(_boundaryLine) && line.EndsWith("--"u8))
        {
            return FailLine("the server ended the multipart stream", line);
        }

        return FailLine("expected a boundary (wrong Content-Length?)", line);
    }

    private bool HandlePartHeader(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty)
        {
            if (_contentLength < 0)
            {
                Fail("a part has no Content-Length");
                return false;
            }

            FrameLength = _contentLength;
            FrameTimestampUs = _timestampUs;
            _remaining = _contentLength;
            _state = State.Payload;
            return true;
        }

        if (!SplitHeader(line, out var name, out var value))
        {
            return FailLine("bad part header", line);
        }

        if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
        {
            if (!Utf8Parser.TryParse(value, out long length, out var used) || used != value.Length || length < 0)
            {
                return FailLine("bad Content-Length", line);
            }

            _contentLength = length;
        }
        else if (Ascii.EqualsIgnoreCase(name, "X-Timestamp"u8))
        {
            if (!Timestamp.TryParseMicroseconds(value, out var timestampUs))
            {
                return FailLine("bad X-Timestamp", line);
            }

            _timestampUs = timestampUs;
        }

        return true;
    }

    private static bool SplitHeader(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        var colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            name = default;
            value = default;
            return false;
        }

        name = line[..colon].Trim(" \t"u8);
        value = line[(colon + 1)..].Trim(" \t"u8);
        return true;
    }

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> prefix) =>
        text.Length >= prefix.Length && Ascii.EqualsIgnoreCase(text[..prefix.Length], prefix);

    private static int IndexOfIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> needle)
    {
        for (var i = 0; i + needle.Length <= text.Length; i++)
        {
            if (Ascii.EqualsIgnoreCase(text.Slice(i, needle.Length), needle))
            {
                return i;
            }
        }

        return -1;
    }

    private bool FailLine(string reason, ReadOnlySpan<byte> line)
    {
        var shown = line.Length > 80 ? line[..80] : line;
        Fail($"{reason}: \"{Encoding.ASCII.GetString(shown)}\"");
        return false;
    }

    private ParseStatus Fail(string reason)
    {
        Error = reason;
        _state = State.Failed;
        return ParseStatus.Error;
    }
}
