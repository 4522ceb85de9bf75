using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text;
using MjpgStreamer.Core.Frames;

namespace MjpgStreamer.Core.Mjpeg;

/// <summary>
/// Reads JPEG frames from a byte stream that carries either back-to-back JPEGs (what <c>ffmpeg -f mjpeg -</c>
/// writes) or multipart/x-mixed-replace parts (<c>ffmpeg -f mpjpeg -</c>, an HTTP camera's body). The format
/// is detected from the first bytes. Broken or oversized frames are dropped and counted, and the reader
/// resynchronises on the next frame; it never throws for bad data. One read buffer is reused for the
/// whole stream, so reading allocates nothing per frame. Not thread-safe; the stream is not disposed.
/// </summary>
public sealed class MjpegStreamReader
{
    /// <summary>Default upper bound of one frame.</summary>
    public const int DefaultMaxFrameBytes = 16 * 1024 * 1024;

    // Lines (multipart boundary and header lines) longer than this are junk, not headers.
    private const int MaxLineBytes = 4096;

    // RFC 2046 allows boundaries of up to 70 characters; be lenient but bounded.
    private const int MaxBoundaryBytes = 200;

    private const byte Cr = (byte)'\r';
    private const byte Lf = (byte)'\n';

    private readonly Stream _stream;
    private readonly int _maxFrameBytes;
    private readonly byte[] _buffer;
    private int _start;
    private int _end;
    private bool _eof;
    private long _corruptFrames;

    private StreamFormat _format;
    private PartState _partState;
    private JpegState _jpegState;
    private byte _marker;
    private int _segmentRemaining;

    // The current frame grew past the limit: its bytes are skipped up to its end, and it counts as corrupt once.
    private bool _discarding;

    // Multipart: the part being read.
    private byte[]? _delimiter; // "\n--" + boundary, once known
    private int _partLength = -1;
    private int _partRemaining;
    private bool _sawPartHeader;

    public MjpegStreamReader(Stream stream, int maxFrameBytes = DefaultMaxFrameBytes, int bufferSize = 64 * 1024)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameBytes, 4);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 2 * MaxLineBytes);
        _stream = stream;
        _maxFrameBytes = maxFrameBytes;
        _buffer = new byte[bufferSize];
    }

    private enum StreamFormat
    {
        Unknown,
        Jpeg,
        Multipart,
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

    private enum JpegState
    {
        SeekSoi,
        SeekSoiFF,
        MarkerPrefix,
        Marker,
        LengthHigh,
        LengthLow,
        Segment,
        Entropy,
        EntropyFF,
    }

    private enum Step
    {
        Continue,
        NeedMore,
        Frame,
    }

    /// <summary>Frames dropped because they were malformed, truncated or larger than the limit.</summary>
    public long CorruptFrames => Interlocked.Read(ref _corruptFrames);

    /// <summary>True once the first bytes showed a multipart stream (false before that or for plain JPEGs).</summary>
    public bool IsMultipart => _format == StreamFormat.Multipart;

    /// <summary>
    /// Fills <paramref name="destination"/> with the next complete JPEG (SOI … EOI) and returns true, or returns
    /// false at the end of the stream (a truncated last frame is dropped and counted as corrupt).
    /// After a cancellation the frame in progress is lost; the next call starts with the next frame.
    /// </summary>
    public ValueTask<bool> ReadFrameAsync(Frame destination, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (InFrame())
        {
            // The previous call was cancelled half-way through a frame whose start went to another destination.
            AbandonFrame();
        }

        // Synchronous while the data is already there; async (pooled, so still allocation-free) only when a read waits.
        while (true)
        {
            if (ParseAvailable(destination, out var found))
            {
                return new ValueTask<bool>(found);
            }

            var read = StartRead(cancellation);
            if (!read.IsCompletedSuccessfully)
            {
                return ReadFrameSlowAsync(destination, read, cancellation);
            }

            EndRead(read.Result);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReadFrameSlowAsync(Frame destination, ValueTask<int> pending, CancellationToken cancellation)
    {
        EndRead(await pending.ConfigureAwait(false));
        while (true)
        {
            if (ParseAvailable(destination, out var found))
            {
                return found;
            }

            EndRead(await StartRead(cancellation).ConfigureAwait(false));
        }
    }

    /// <summary>Parses what is buffered; true when that decided the call (a frame, or the end of the stream).</summary>
    private bool ParseAvailable(Frame destination, out bool found)
    {
        while (true)
        {
            var step = Parse(destination);
            if (step == Step.Frame)
            {
                found = true;
                return true;
            }

            if (step == Step.NeedMore)
            {
                break;
            }
        }

        found = _eof && FinishAtEnd(destination);
        return _eof;
    }

    private ValueTask<int> StartRead(CancellationToken cancellation)
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        // The parsers consume all they can before asking for more, and never wait for more than a line, so
        // the window is never full here; the check guards against looping forever if that ever changed.
        if (_end == _buffer.Length)
        {
            throw new InvalidOperationException("MJPEG reader window is full.");
        }

        return _stream.ReadAsync(_buffer.AsMemory(_end), cancellation);
    }

    private void EndRead(int read)
    {
        if (read <= 0)
        {
            _eof = true;
        }
        else
        {
            _end += read;
        }
    }

    private Step Parse(Frame destination) => _format switch
    {
        StreamFormat.Jpeg => ParseJpeg(destination),
        StreamFormat.Multipart => ParsePart(destination),
        _ => Detect(),
    };

    /// <summary>FFD8 first means back-to-back JPEGs; "--" or a header line means multipart; anything else is junk before a JPEG.</summary>
    private Step Detect()
    {
        var window = _buffer.AsSpan(_start, _end - _start);
        var skip = 0;
        while (skip < window.Length && window[skip] is Cr or Lf or (byte)' ' or (byte)'\t')
        {
            skip++;
        }

        _start += skip;
        window = window[skip..];
        if (window.Length < 2)
        {
            if (_eof && window.Length > 0)
            {
                _format = StreamFormat.Jpeg;
                return Step.Continue;
            }

            return Step.NeedMore;
        }

        if (window[0] == 0xFF && window[1] == 0xD8)
        {
            _format = StreamFormat.Jpeg;
            return Step.Continue;
        }

        if (window[0] == '-' && window[1] == '-')
        {
            _format = StreamFormat.Multipart;
            return Step.Continue;
        }

        var lf = window.IndexOf(Lf);
        if (lf < 0 && !_eof && window.Length < MaxLineBytes)
        {
            return Step.NeedMore;
        }

        _format = lf >= 0 && LooksLikeHeader(window[..lf]) ? StreamFormat.Multipart : StreamFormat.Jpeg;
        return Step.Continue;
    }

    private static bool LooksLikeHeader(ReadOnlySpan<byte> line)
    {
        if (line.StartsWith("HTTP/"u8))
        {
            return true;
        }

        var colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            return false;
        }

        foreach (var c in line[..colon])
        {
            if (!(char.IsAsciiLetterOrDigit((char)c) || c == '-' || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    private Step ParseJpeg(Frame destination)
    {
        if (_start == _end)
        {
            return Step.NeedMore;
        }

        var consumed = ScanJpeg(_buffer.AsSpan(_start, _end - _start), destination, out var complete);
        _start += consumed;
        return complete ? Step.Frame : Step.Continue;
    }

    private Step ParsePart(Frame destination)
    {
        var window = _buffer.AsSpan(_start, _end - _start);
        switch (_partState)
        {
            case PartState.Lines:
                return ParseLine(window);

            case PartState.SkipLine:
            {
                var lf = window.IndexOf(Lf);
                if (lf < 0)
                {
                    _start = _end;
                    return Step.NeedMore;
                }

                _start += lf + 1;
                _partState = PartState.Lines;
                return Step.Continue;
            }

            case PartState.BodyStart:
                return StartBody(window, destination);

            case PartState.BodyLength:
            {
                if (window.IsEmpty)
                {
                    return Step.NeedMore;
                }

                var take = Math.Min(window.Length, _partRemaining);
                AppendChecked(destination, window[..take]);
                _start += take;
                _partRemaining -= take;
                return _partRemaining == 0 ? FinishPart(destination) : Step.Continue;
            }

            case PartState.BodyBoundary:
            {
                var delimiter = _delimiter!;
                var found = window.IndexOf(delimiter);
                if (found >= 0)
                {
                    AppendChecked(destination, window[..found]);

                    // Leave the LF's successor, "--boundary…", for the line parser.
                    _start += found + 1;
                    return FinishPart(destination);
                }

                // Keep a tail that may be the start of a delimiter split across reads.
                var safe = window.Length - (delimiter.Length - 1);
                if (safe > 0)
                {
                    AppendChecked(destination, window[..safe]);
                    _start += safe;
                }

                return Step.NeedMore;
            }

            case PartState.BodyJpeg:
            {
                if (window.IsEmpty)
                {
                    return Step.NeedMore;
                }

                var consumed = ScanJpeg(window, destination, out var complete);
                _start += consumed;
                if (!complete)
                {
                    return Step.Continue;
                }

                ResetPart();
                return Step.Frame;
            }

            default:
                throw new InvalidOperationException($"unexpected part state {_partState}");
        }
    }

    private Step ParseLine(ReadOnlySpan<byte> window)
    {
        if (window.Length < 2)
        {
            return Step.NeedMore;
        }

        // A part without headers (or a camera that omits them): the JPEG starts right away.
        if (window[0] == 0xFF && window[1] == 0xD8)
        {
            _partState = PartState.BodyStart;
            return Step.Continue;
        }

        var lf = window.IndexOf(Lf);
        if (lf < 0)
        {
            if (window.Length >= MaxLineBytes)
            {
                _start = _end;
                _partState = PartState.SkipLine;
            }

            return Step.NeedMore;
        }

        var line = window[..lf];
        if (!line.IsEmpty && line[^1] == Cr)
        {
            line = line[..^1];
        }

        _start += lf + 1;
        if (line.IsEmpty)
        {
            if (_sawPartHeader)
            {
                _partState = PartState.BodyStart;
            }

            return Step.Continue;
        }

        if (line.StartsWith("--"u8))
        {
            if (_delimiter is null)
            {
                LearnBoundary(line[2..].TrimEnd(" \t"u8));
            }

            ResetPart();
            return Step.Continue;
        }

        ParseHeader(line);
        return Step.Continue;
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

    private Step StartBody(ReadOnlySpan<byte> window, Frame destination)
    {
        if (window.Length < 2)
        {
            return Step.NeedMore;
        }

        // The headers were an HTTP response's, and the parts follow.
        if (window[0] == '-' && window[1] == '-')
        {
            ResetPart();
            return Step.Continue;
        }

        destination.SetLength(0);
        _discarding = false;
        if (_partLength >= 0)
        {
            _partRemaining = _partLength;
            _partState = PartState.BodyLength;
            return _partRemaining == 0 ? FinishPart(destination) : Step.Continue;
        }

        if (_delimiter is not null)
        {
            _partState = PartState.BodyBoundary;
            return Step.Continue;
        }

        // No length and no known boundary: the JPEG's own structure says where it ends.
        _jpegState = JpegState.SeekSoi;
        _partState = PartState.BodyJpeg;
        return Step.Continue;
    }

    private Step FinishPart(Frame destination)
    {
        ResetPart();
        if (_discarding)
        {
            _discarding = false;
            return Step.Continue;
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
            CountCorrupt();
            return Step.Continue;
        }

        return Step.Frame;
    }

    private void ResetPart()
    {
        _partState = PartState.Lines;
        _partLength = -1;
        _sawPartHeader = false;
    }

    private bool FinishAtEnd(Frame destination)
    {
        if (_format == StreamFormat.Multipart && _partState == PartState.BodyBoundary)
        {
            // The stream ended without a closing boundary: the rest of the window is the last part.
            var window = _buffer.AsSpan(_start, _end - _start);
            AppendChecked(destination, window);
            _start = _end;
            if (FinishPart(destination) == Step.Frame)
            {
                return true;
            }
        }
        else if (InFrame())
        {
            AbandonFrame();
        }

        _discarding = false;
        _jpegState = JpegState.SeekSoi;
        ResetPart();
        destination.SetLength(0);
        return false;
    }

    private void AbandonFrame()
    {
        if (!_discarding)
        {
            CountCorrupt();
        }

        _discarding = false;
        _jpegState = JpegState.SeekSoi;
        ResetPart();
    }

    private bool InFrame() => _format switch
    {
        StreamFormat.Jpeg => _jpegState >= JpegState.MarkerPrefix,
        StreamFormat.Multipart => _partState is PartState.BodyLength or PartState.BodyBoundary
            || (_partState == PartState.BodyJpeg && _jpegState >= JpegState.MarkerPrefix),
        _ => false,
    };

    /// <summary>
    /// Follows the JPEG's marker structure through <paramref name="data"/>: segments are skipped by their
    /// length (so an EOI inside an embedded thumbnail does not end the frame), entropy-coded data runs to
    /// the EOI. Returns the bytes consumed; <paramref name="complete"/> when a frame ended.
    /// </summary>
    private int ScanJpeg(ReadOnlySpan<byte> data, Frame destination, out bool complete)
    {
        complete = false;
        var chunkStart = _jpegState >= JpegState.MarkerPrefix ? 0 : -1;
        var i = 0;
        while (i < data.Length)
        {
            switch (_jpegState)
            {
                case JpegState.SeekSoi:
                {
                    var ff = data[i..].IndexOf((byte)0xFF);
                    if (ff < 0)
                    {
                        return data.Length;
                    }

                    i += ff + 1;
                    _jpegState = JpegState.SeekSoiFF;
                    break;
                }

                case JpegState.SeekSoiFF:
                {
                    var b = data[i++];
                    if (b == 0xD8)
                    {
                        BeginJpeg(destination);
                        chunkStart = i;
                    }
                    else if (b != 0xFF)
                    {
                        _jpegState = JpegState.SeekSoi;
                    }

                    break;
                }

                case JpegState.MarkerPrefix:
                    if (data[i++] == 0xFF)
                    {
                        _jpegState = JpegState.Marker;
                    }
                    else
                    {
                        Drop();
                        chunkStart = -1;
                    }

                    break;

                case JpegState.Marker:
                {
                    var b = data[i++];
                    if (b == 0xFF)
                    {
                        break; // fill byte
                    }

                    if (b == 0xD8)
                    {
                        // A new image before this one ended: this one was cut short.
                        Drop();
                        BeginJpeg(destination);
                        chunkStart = i;
                    }
                    else if (b == 0x01 || b is >= 0xD0 and <= 0xD7)
                    {
                        _jpegState = JpegState.MarkerPrefix;
                    }
                    else if (b < 0xC0 || b == 0xD9)
                    {
                        // Reserved marker, or EOI before any scan: not an image.
                        Drop();
                        chunkStart = -1;
                    }
                    else
                    {
                        _marker = b;
                        _jpegState = JpegState.LengthHigh;
                    }

                    break;
                }

                case JpegState.LengthHigh:
                    _segmentRemaining = data[i++] << 8;
                    _jpegState = JpegState.LengthLow;
                    break;

                case JpegState.LengthLow:
                    _segmentRemaining |= data[i++];
                    if (_segmentRemaining < 2)
                    {
                        Drop();
                        chunkStart = -1;
                    }
                    else
                    {
                        _segmentRemaining -= 2;
                        _jpegState = _segmentRemaining == 0 ? AfterSegment() : JpegState.Segment;
                    }

                    break;

                case JpegState.Segment:
                {
                    var take = Math.Min(_segmentRemaining, data.Length - i);
                    i += take;
                    _segmentRemaining -= take;
                    if (_segmentRemaining == 0)
                    {
                        _jpegState = AfterSegment();
                    }

                    break;
                }

                case JpegState.Entropy:
                {
                    var ff = data[i..].IndexOf((byte)0xFF);
                    if (ff < 0)
                    {
                        i = data.Length;
                        break;
                    }

                    i += ff + 1;
                    _jpegState = JpegState.EntropyFF;
                    break;
                }

                case JpegState.EntropyFF:
                {
                    var b = data[i++];
                    if (b == 0x00 || b is >= 0xD0 and <= 0xD7)
                    {
                        _jpegState = JpegState.Entropy; // stuffed FF or restart marker
                    }
                    else if (b == 0xFF)
                    {
                        // fill byte before a marker
                    }
                    else if (b == 0xD9)
                    {
                        AppendChecked(destination, data[chunkStart..i]);
                        chunkStart = -1;
                        _jpegState = JpegState.SeekSoi;
                        if (!_discarding)
                        {
                            complete = true;
                            return i;
                        }

                        _discarding = false;
                    }
                    else if (b == 0xD8)
                    {
                        Drop();
                        BeginJpeg(destination);
                        chunkStart = i;
                    }
                    else if (b >= 0xC0)
                    {
                        // Tables or the next scan of a progressive image.
                        _marker = b;
                        _jpegState = JpegState.LengthHigh;
                    }
                    else
                    {
                        Drop();
                        chunkStart = -1;
                    }

                    break;
                }
            }
        }

        if (chunkStart >= 0)
        {
            AppendChecked(destination, data[chunkStart..]);
        }

        return data.Length;
    }

    private JpegState AfterSegment() => _marker == 0xDA ? JpegState.Entropy : JpegState.MarkerPrefix;

    private void BeginJpeg(Frame destination)
    {
        destination.SetLength(0);
        destination.Append([0xFF, 0xD8]);
        _discarding = false;
        _jpegState = JpegState.MarkerPrefix;
    }

    /// <summary>The frame in progress is broken: count it (once) and look for the next SOI.</summary>
    private void Drop()
    {
        if (!_discarding)
        {
            CountCorrupt();
        }

        _discarding = false;
        _jpegState = JpegState.SeekSoi;
    }

    private void AppendChecked(Frame destination, ReadOnlySpan<byte> data)
    {
        if (_discarding || data.IsEmpty)
        {
            return;
        }

        if ((long)destination.Length + data.Length > _maxFrameBytes)
        {
            _discarding = true;
            destination.SetLength(0);
            CountCorrupt();
            return;
        }

        destination.Append(data);
    }

    private void CountCorrupt() => Interlocked.Increment(ref _corruptFrames);
}
