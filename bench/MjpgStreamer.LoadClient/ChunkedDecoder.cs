namespace MjpgStreamer.LoadClient;

/// <summary>
/// For --http11: takes a chunked response body apart in place (the bytes after the response head), so the multipart
/// parser sees the plain stream either way. The head passes through untouched; a head without
/// "Transfer-Encoding: chunked" turns the decoder off. Nothing is allocated.
/// </summary>
internal sealed class ChunkedDecoder
{
    private const int MaxHead = 8 * 1024;

    private enum State
    {
        Head,
        Size,
        SizeExtension,
        SizeLf,
        Data,
        DataCr,
        DataLf,
        Plain,
        Done,
    }

    private readonly byte[] _head = new byte[MaxHead];
    private int _headLength;
    private State _state;
    private long _size;
    private long _remaining;

    /// <summary>Decodes <paramref name="bytes"/> in place and returns how many of them are left, in order, at its start.</summary>
    public int Decode(Span<byte> bytes)
    {
        var write = 0;
        for (var read = 0; read < bytes.Length;)
        {
            switch (_state)
            {
                case State.Plain:
                    bytes[read..].CopyTo(bytes[write..]);
                    return write + bytes.Length - read;
                case State.Done:
                    return write;
                case State.Head:
                {
                    var b = bytes[read++];
                    bytes[write++] = b;
                    if (_headLength < MaxHead)
                    {
                        _head[_headLength++] = b;
                    }

                    if (_headLength >= 4 && _head.AsSpan(_headLength - 4, 4).SequenceEqual("\r\n\r\n"u8))
                    {
                        _state = IsChunked(_head.AsSpan(0, _headLength)) ? State.Size : State.Plain;
                    }
                    else if (_headLength == MaxHead)
                    {
                        _state = State.Plain;
                    }

                    break;
                }

                case State.Size:
                {
                    var b = bytes[read++];
                    var digit = HexValue(b);
                    if (digit >= 0)
                    {
                        _size = (_size * 16) + digit;
                    }
                    else
                    {
                        _state = b == (byte)'\n' ? EndOfSize() : b == (byte)'\r' ? State.SizeLf : State.SizeExtension;
                    }

                    break;
                }

                case State.SizeExtension:
                case State.SizeLf:
                    if (bytes[read++] == (byte)'\n')
                    {
                        _state = EndOfSize();
                    }

                    break;
                case State.Data:
                {
                    var take = (int)Math.Min(_remaining, bytes.Length - read);
                    bytes.Slice(read, take).CopyTo(bytes[write..]);
                    read += take;
                    write += take;
                    _remaining -= take;
                    if (_remaining == 0)
                    {
                        _state = State.DataCr;
                    }

                    break;
                }

                case State.DataCr:
                    read++;
                    _state = State.DataLf;
                    break;
                case State.DataLf:
                    read++;
                    _state = State.Size;
                    break;
            }
        }

        return write;
    }

    private State EndOfSize()
    {
        _remaining = _size;
        _size = 0;
        // The last chunk (size 0) ends the body: what follows (trailers) is dropped.
        return _remaining == 0 ? State.Done : State.Data;
    }

    private static bool IsChunked(ReadOnlySpan<byte> head)
    {
        foreach (var range in head.Split("\r\n"u8))
        {
            var line = head[range];
            var colon = line.IndexOf((byte)':');
            if (colon > 0 && System.Text.Ascii.EqualsIgnoreCase(line[..colon].Trim((byte)' '), "Transfer-Encoding"u8)
                && line[(colon + 1)..].Trim((byte)' ').EndsWith("chunked"u8))
            {
                return true;
            }
        }

        return false;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
