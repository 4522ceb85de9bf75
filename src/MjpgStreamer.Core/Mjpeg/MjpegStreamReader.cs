using System.Runtime.CompilerServices;
using MjpgStreamer.Core.Frames;

namespace MjpgStreamer.Core.Mjpeg;

/// <summary>
/// Reads JPEG frames from a byte stream that carries either back-to-back JPEGs (what <c>ffmpeg -f mjpeg -</c>
/// writes) or multipart/x-mixed-replace parts (<c>ffmpeg -f mpjpeg -</c>, an HTTP camera's body). This type
/// owns the read buffer and the stream, detects the format from the first bytes, and hands the bytes to a
/// <see cref="JpegScanner"/> or a <see cref="MultipartFramer"/>. Broken or oversized frames are dropped and
/// counted, and the reader resynchronises on the next frame; it never throws for bad data. One read buffer
/// is reused for the whole stream, so reading allocates nothing per frame. Not thread-safe; the stream is
/// not disposed.
/// </summary>
public sealed class MjpegStreamReader
{
    /// <summary>Default upper bound of one frame.</summary>
    public const int DefaultMaxFrameBytes = 16 * 1024 * 1024;

    private const int MaxLineBytes = MultipartFramer.MaxLineBytes;

    private readonly Stream _stream;
    private readonly byte[] _buffer;
    private readonly BoundedFrameWriter _writer;
    private int _start;
    private int _end;
    private bool _eof;

    // Exactly one of these is set once the format is known.
    private JpegScanner? _jpeg;
    private MultipartFramer? _multipart;

    public MjpegStreamReader(Stream stream, int maxFrameBytes = DefaultMaxFrameBytes, int bufferSize = 64 * 1024)
        : this(stream, null, maxFrameBytes, bufferSize)
    {
    }

    /// <summary>
    /// A reader of a multipart body whose boundary is already known (an HTTP response's Content-Type said it):
    /// parts end at their Content-Length, else at that boundary; the body's first bytes are not guessed at.
    /// A null or empty <paramref name="boundary"/> reads as the other constructor does.
    /// </summary>
    public MjpegStreamReader(Stream stream, string? boundary, int maxFrameBytes = DefaultMaxFrameBytes, int bufferSize = 64 * 1024)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameBytes, 4);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 2 * MaxLineBytes);
        _stream = stream;
        _buffer = new byte[bufferSize];
        _writer = new BoundedFrameWriter(maxFrameBytes);
        if (!string.IsNullOrEmpty(boundary))
        {
            _multipart = new MultipartFramer(_writer, System.Text.Encoding.ASCII.GetBytes(boundary));
        }
    }

    /// <summary>Frames dropped because they were malformed, truncated or larger than the limit.</summary>
    public long CorruptFrames => _writer.CorruptFrames;

    /// <summary>True once the first bytes showed a multipart stream (false before that or for plain JPEGs).</summary>
    public bool IsMultipart => _multipart is not null;

    private ReadOnlySpan<byte> Window => _buffer.AsSpan(_start, _end - _start);

    /// <summary>
    /// Fills <paramref name="destination"/> with the next complete JPEG (SOI … EOI) and returns true, or returns
    /// false at the end of the stream (a truncated last frame is dropped and counted as corrupt).
    /// After a cancellation the frame in progress is lost; the next call starts with the next frame.
    /// </summary>
    public ValueTask<bool> ReadFrameAsync(Frame destination, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(destination);

        // The previous call may have been cancelled half-way through a frame whose start went to another destination.
        if (_jpeg is { InFrame: true })
        {
            _jpeg.Abandon();
        }
        else if (_multipart is { InFrame: true })
        {
            _multipart.Abandon();
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
            if (step == ParseStep.Frame)
            {
                found = true;
                return true;
            }

            if (step == ParseStep.NeedMore)
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

    private ParseStep Parse(Frame destination)
    {
        if (_jpeg is not null)
        {
            if (_start == _end)
            {
                return ParseStep.NeedMore;
            }

            _start += _jpeg.Scan(Window, destination, out var complete);
            return complete ? ParseStep.Frame : ParseStep.Continue;
        }

        if (_multipart is not null)
        {
            var step = _multipart.Parse(Window, destination, out var consumed);
            _start += consumed;
            return step;
        }

        return Detect();
    }

    /// <summary>FFD8 first means back-to-back JPEGs; "--" or a header line means multipart; anything else is junk before a JPEG.</summary>
    private ParseStep Detect()
    {
        var window = Window;
        var skip = 0;
        while (skip < window.Length && window[skip] is (byte)'\r' or (byte)'\n' or (byte)' ' or (byte)'\t')
        {
            skip++;
        }

        _start += skip;
        window = window[skip..];
        if (window.Length < 2)
        {
            if (_eof && window.Length > 0)
            {
                _jpeg = new JpegScanner(_writer);
                return ParseStep.Continue;
            }

            return ParseStep.NeedMore;
        }

        if (window[0] == 0xFF && window[1] == 0xD8)
        {
            _jpeg = new JpegScanner(_writer);
            return ParseStep.Continue;
        }

        if (window[0] == '-' && window[1] == '-')
        {
            _multipart = new MultipartFramer(_writer);
            return ParseStep.Continue;
        }

        var lf = window.IndexOf((byte)'\n');
        if (lf < 0 && !_eof && window.Length < MaxLineBytes)
        {
            return ParseStep.NeedMore;
        }

        if (lf >= 0 && LooksLikeHeader(window[..lf]))
        {
            _multipart = new MultipartFramer(_writer);
        }
        else
        {
            _jpeg = new JpegScanner(_writer);
        }

        return ParseStep.Continue;
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

    private bool FinishAtEnd(Frame destination)
    {
        if (_multipart is not null)
        {
            var found = _multipart.FinishAtEnd(Window, destination, out var consumed);
            _start += consumed;
            return found;
        }

        if (_jpeg is not null)
        {
            // A frame still open at the end of the stream was cut short.
            if (_jpeg.InFrame)
            {
                _jpeg.Abandon();
            }

            _jpeg.Reset();
            _writer.Reset();
        }

        destination.SetLength(0);
        return false;
    }
}
