using System.Buffers.Text;
using System.Text;
using MjpgStreamer.Core.Frames;

namespace MjpgStreamer.Core.Mjpeg;

/// <summary>
/// Reads the parts of a multipart/x-mixed-replace stream (<c>ffmpeg -f mpjpeg -</c>, an HTTP camera's
/// body, with or without the HTTP response header in front). A part ends after its Content-Length, else
/// at the next boundary, else (no length and no boundary known yet) where its JPEG's own structure ends.
/// A part that is not a whole JPEG is dropped and counted; the next boundary line resynchronises.
/// Works on the caller's buffered bytes and keeps only the state between them; the boundary is the one
/// allocation, once per stream.
/// </summary>
internal sealed class MultipartFramer
{
    /// <summary>Lines (boundary and header lines) longer than this are junk, not headers.</summary>
    public const int MaxLineBytes = 4096;

    // RFC 2046 allows boundaries of up to 70 characters; be lenient but bounded.
    private const int MaxBoundaryBytes = 200;

    private const byte Cr = (byte)'\r';
    private const byte Lf = (byte)'\n';

    private readonly BoundedFrameWriter _writer;
    private readonly JpegScanner _jpeg;
    private PartState _state;
    private byte[]? _delimiter; // "\n--" + boundary, once known
    private int _partLength = -1;
    private int _partRemaining;
    private bool _sawPartHeader;

    public MultipartFramer(BoundedFrameWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
        _jpeg = new JpegScanner(writer);
    }

    /// <summary>A framer for a body whose boundary is known beforehand (from the response's Content-Type).</summary>
    public MultipartFramer(BoundedFrameWriter writer, ReadOnlySpan<byte> boundary)
        : this(writer)
    {
        LearnBoundary(boundary.StartsWith("--"u8) ? boundary[2..] : boundary);
    }

    private enum PartState
    {
        Lines,
        SkipLine,
        BodyStart,
        BodyLength,
        BodyBoundary,
        BodyJpeg,
    }

    /// <summary>A part's body is being read (its bytes go to the destination frame).</summary>
    public bool InFrame => _state is PartState.BodyLength or PartState.BodyBoundary
        || (_state == PartState.BodyJpeg && _jpeg.InFrame);

    /// <summary>
    /// Takes one step through <paramref name="window"/>, the bytes buffered and not consumed yet;
    /// <paramref name="consumed"/> says how many of them the step used up.
    /// </summary>
    public ParseStep Parse(ReadOnlySpan<byte> window, Frame destination, out int consumed)
    {
        consumed = 0;
        switch (_state)
        {
            case PartState.Lines:
                return ParseLine(window, out consumed);

            case PartState.SkipLine:
            {
                var lf = window.IndexOf(Lf);
                if (lf < 0)
                {
                    consumed = window.Length;
                    return ParseStep.NeedMore;
                }

                consumed = lf + 1;
                _state = PartState.Lines;
                return ParseStep.Continue;
            }

            case PartState.BodyStart:
                return StartBody(window, destination);

            case PartState.BodyLength:
            {
                if (window.IsEmpty)
                {
                    return ParseStep.NeedMore;
                }

                var take = Math.Min(window.Length, _partRemaining);
                _writer.Append(destination, window[..take]);
                consumed = take;
                _partRemaining -= take;
                return _partRemaining == 0 ? FinishPart(destination) : ParseStep.Continue;
            }

            case PartState.BodyBoundary:
            {
                var delimiter = _delimiter!;
                var found = window.IndexOf(delimiter);
                if (found >= 0)
                {
                    _writer.Append(destination, window[..found]);

                    // Leave the LF's successor, "--boundary…", for the line parser.
                    consumed = found + 1;
                    return FinishPart(destination);
                }

                // Keep a tail that may be the start of a delimiter split across reads.
                var safe = window.Length - (delimiter.Length - 1);
                if (safe > 0)
                {
                    _writer.Append(destination, window[..safe]);
                    consumed = safe;
                }

                return ParseStep.NeedMore;
            }

            case PartState.BodyJpeg:
            {
                if (window.IsEmpty)
                {
                    return ParseStep.NeedMore;
                }

                consumed = _jpeg.Scan(window, destination, out var complete);
                if (!complete)
                {
                    return ParseStep.Continue;
                }

                ResetPart();
                return ParseStep.Frame;
            }

            default:
                throw new InvalidOperationException($"unexpected part state {_state}");
        }
    }

    /// <summary>
    /// The stream ended with <paramref name="rest"/> still buffered: a part that runs to a boundary is
    /// complete without its closing boundary (true, the frame is in <paramref name="destination"/>); any
    /// other part in progress is dropped and counted. Either way the framer then waits for a new part.
    /// </summary>
    public bool FinishAtEnd(ReadOnlySpan<byte> rest, Frame destination, out int consumed)
    {
        consumed = 0;
        if (_state == PartState.BodyBoundary)
        {
            _writer.Append(destination, rest);
            consumed = rest.Length;
            if (FinishPart(destination) == ParseStep.Frame)
            {
                return true;
            }
        }
        else if (InFrame)
        {
            Abandon();
        }

        _writer.Reset();
        _jpeg.Reset();
        ResetPart();
        destination.SetLength(0);
        return false;
    }

    /// <summary>The part in progress is lost (its start went to another destination): count it and wait for a new part.</summary>
    public void Abandon()
    {
        _writer.Drop();
        _jpeg.Reset();
        ResetPart();
    }

    private ParseStep ParseLine(ReadOnlySpan<byte> window, out int consumed)
    {
        consumed = 0;
        if (window.Length < 2)
        {
            return ParseStep.NeedMore;
        }

        // A part without headers (or a camera that omits them): the JPEG starts right away.
        if (window[0] == 0xFF && window[1] == 0xD8)
        {
            _state = PartState.BodyStart;
            return ParseStep.Continue;
        }

        var lf = window.IndexOf(Lf);
        if (lf < 0)
        {
            if (window.Length >= MaxLineBytes)
            {
                consumed = window.Length;
                _state = PartState.SkipLine;
            }

            return ParseStep.NeedMore;
        }

        var line = window[..lf];
        if (!line.IsEmpty && line[^1] == Cr)
        {
            line = line[..^1];
        }

        consumed = lf + 1;
        if (line.IsEmpty)
        {
            if (_sawPartHeader)
            {
                _state = PartState.BodyStart;
            }

            return ParseStep.Continue;
        }

        if (line.StartsWith("--"u8))
        {
            if (_delimiter is null)
            {
                LearnBoundary(line[2..].TrimEnd(" \t"u8));
            }

            ResetPart();
            return ParseStep.Continue;
        }

        ParseHeader(line);
        return ParseStep.Continue;
    }

    private void ParseHeader(ReadOnlySpan<byte> line)
    {
        var colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            return;
        }

        _sawPartHeader = true;
        var name = line[..colon].Trim(" \t"u8);
        var value = line[(colon + 1)..].Trim(" \t"u8);
        if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
        {
            _partLength = Utf8Parser.TryParse(value, out int length, out var used) && used == value.Length && length >= 0 ? length : -1;
        }
        else if (_delimiter is null && Ascii.EqualsIgnoreCase(name, "Content-Type"u8))
        {
            // An HTTP response header in front of the parts ("multipart/x-mixed-replace; boundary=xyz").
            var at = IndexOfIgnoreCase(value, "boundary="u8);
            if (at >= 0)
            {
                var boundary = value[(at + "boundary="u8.Length)..];
                var end = boundary.IndexOfAny((byte)';', (byte)' ');
                if (end >= 0)
                {
                    boundary = boundary[..end];
                }

                boundary = boundary.Trim((byte)'"');
                if (boundary.StartsWith("--"u8))
                {
                    // Some servers put the dashes into the declared boundary too.
                    boundary = boundary[2..];
                }

                LearnBoundary(boundary);
            }
        }
    }

    private static int IndexOfIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> value)
    {
        for (var i = 0; i + value.Length <= text.Length; i++)
        {
            if (Ascii.EqualsIgnoreCase(text.Slice(i, value.Length), value))
            {
                return i;
            }
        }

        return -1;
    }

    private void LearnBoundary(ReadOnlySpan<byte> boundary)
    {
        if (boundary.IsEmpty || boundary.Length > MaxBoundaryBytes)
        {
            return;
        }

        // Allocated once per stream.
        var delimiter = new byte[3 + boundary.Length];
        "\n--"u8.CopyTo(delimiter);
        boundary.CopyTo(delimiter.AsSpan(3));
        _delimiter = delimiter;
    }

    private ParseStep StartBody(ReadOnlySpan<byte> window, Frame destination)
    {
        if (window.Length < 2)
        {
            return ParseStep.NeedMore;
        }

        // The headers were an HTTP response's, and the parts follow.
        if (window[0] == '-' && window[1] == '-')
        {
            ResetPart();
            return ParseStep.Continue;
        }

        _writer.Begin(destination);
        if (_partLength >= 0)
        {
            _partRemaining = _partLength;
            _state = PartState.BodyLength;
            return _partRemaining == 0 ? FinishPart(destination) : ParseStep.Continue;
        }

        if (_delimiter is not null)
        {
            _state = PartState.BodyBoundary;
            return ParseStep.Continue;
        }

        // No length and no known boundary: the JPEG's own structure says where it ends.
        _jpeg.Reset();
        _state = PartState.BodyJpeg;
        return ParseStep.Continue;
    }

    private ParseStep FinishPart(Frame destination)
    {
        ResetPart();
        if (!_writer.End())
        {
            return ParseStep.Continue;
        }

        var data = destination.Span;
        var length = data.Length;
        while (length > 0 && data[length - 1] is Cr or Lf)
        {
            length--;
        }

        destination.SetLength(length);
        if (!JpegInfo.HasSoiAndEoi(destination.Span))
        {
            _writer.CountCorrupt();
            return ParseStep.Continue;
        }

        return ParseStep.Frame;
    }

    private void ResetPart()
    {
        _state = PartState.Lines;
        _partLength = -1;
        _sawPartHeader = false;
    }
}
