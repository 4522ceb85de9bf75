using MjpgStreamer.Core.Frames;

namespace MjpgStreamer.Core.Mjpeg;

/// <summary>
/// Finds whole JPEGs (SOI … EOI) in bytes that arrive in pieces, by following the marker structure:
/// segments are skipped by their length (so an EOI inside an embedded thumbnail does not end the frame),
/// entropy-coded data runs to the EOI. Bytes before an SOI are junk and skipped; a frame whose structure
/// breaks, or that a new SOI cuts short, is dropped and counted. Holds only the state between pieces, so
/// scanning allocates nothing.
/// </summary>
internal sealed class JpegScanner
{
    private readonly BoundedFrameWriter _writer;
    private JpegState _state;
    private byte _marker;
    private int _segmentRemaining;

    public JpegScanner(BoundedFrameWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
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

    /// <summary>An SOI has been seen and its frame has not ended yet.</summary>
    public bool InFrame => _state >= JpegState.MarkerPrefix;

    /// <summary>
    /// Scans <paramref name="data"/>, appending the current frame's bytes to <paramref name="destination"/>.
    /// Returns the bytes consumed: all of them, or those up to and including the EOI of a frame that ended,
    /// in which case <paramref name="complete"/> is true and the frame is in <paramref name="destination"/>.
    /// </summary>
    public int Scan(ReadOnlySpan<byte> data, Frame destination, out bool complete)
    {
        complete = false;
        var chunkStart = InFrame ? 0 : -1;
        var i = 0;
        while (i < data.Length)
        {
            switch (_state)
            {
                case JpegState.SeekSoi:
                {
                    var ff = data[i..].IndexOf((byte)0xFF);
                    if (ff < 0)
                    {
                        return data.Length;
                    }

                    i += ff + 1;
                    _state = JpegState.SeekSoiFF;
                    break;
                }

                case JpegState.SeekSoiFF:
                {
                    var b = data[i++];
                    if (b == 0xD8)
                    {
                        Begin(destination);
                        chunkStart = i;
                    }
                    else if (b != 0xFF)
                    {
                        _state = JpegState.SeekSoi;
                    }

                    break;
                }

                case JpegState.MarkerPrefix:
                    if (data[i++] == 0xFF)
                    {
                        _state = JpegState.Marker;
                    }
                    else
                    {
                        Abandon();
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
                        Abandon();
                        Begin(destination);
                        chunkStart = i;
                    }
                    else if (b == 0x01 || b is >= 0xD0 and <= 0xD7)
                    {
                        _state = JpegState.MarkerPrefix;
                    }
                    else if (b < 0xC0 || b == 0xD9)
                    {
                        // Reserved marker, or EOI before any scan: not an image.
                        Abandon();
                        chunkStart = -1;
                    }
                    else
                    {
                        _marker = b;
                        _state = JpegState.LengthHigh;
                    }

                    break;
                }

                case JpegState.LengthHigh:
                    _segmentRemaining = data[i++] << 8;
                    _state = JpegState.LengthLow;
                    break;

                case JpegState.LengthLow:
                    _segmentRemaining |= data[i++];
                    if (_segmentRemaining < 2)
                    {
                        Abandon();
                        chunkStart = -1;
                    }
                    else
                    {
                        _segmentRemaining -= 2;
                        _state = _segmentRemaining == 0 ? AfterSegment() : JpegState.Segment;
                    }

                    break;

                case JpegState.Segment:
                {
                    var take = Math.Min(_segmentRemaining, data.Length - i);
                    i += take;
                    _segmentRemaining -= take;
                    if (_segmentRemaining == 0)
                    {
                        _state = AfterSegment();
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
                    _state = JpegState.EntropyFF;
                    break;
                }

                case JpegState.EntropyFF:
                {
                    var b = data[i++];
                    if (b == 0x00 || b is >= 0xD0 and <= 0xD7)
                    {
                        _state = JpegState.Entropy; // stuffed FF or restart marker
                    }
                    else if (b == 0xFF)
                    {
                        // fill byte before a marker
                    }
                    else if (b == 0xD9)
                    {
                        _writer.Append(destination, data[chunkStart..i]);
                        chunkStart = -1;
                        _state = JpegState.SeekSoi;
                        if (_writer.End())
                        {
                            complete = true;
                            return i;
                        }
                    }
                    else if (b == 0xD8)
                    {
                        Abandon();
                        Begin(destination);
                        chunkStart = i;
                    }
                    else if (b >= 0xC0)
                    {
                        // Tables or the next scan of a progressive image.
                        _marker = b;
                        _state = JpegState.LengthHigh;
                    }
                    else
                    {
                        Abandon();
                        chunkStart = -1;
                    }

                    break;
                }
            }
        }

        if (chunkStart >= 0)
        {
            _writer.Append(destination, data[chunkStart..]);
        }

        return data.Length;
    }

    /// <summary>The frame in progress is broken or lost: count it (once) and look for the next SOI.</summary>
    public void Abandon()
    {
        _writer.Drop();
        _state = JpegState.SeekSoi;
    }

    /// <summary>Looks for the next SOI without counting anything (the caller has dealt with the frame in progress).</summary>
    public void Reset() => _state = JpegState.SeekSoi;

    private JpegState AfterSegment() => _marker == 0xDA ? JpegState.Entropy : JpegState.MarkerPrefix;

    private void Begin(Frame destination)
    {
        _writer.Begin(destination);
        destination.Append([0xFF, 0xD8]);
        _state = JpegState.MarkerPrefix;
    }
}
