using System.Buffers.Binary;

namespace MjpgStreamer.Core.Rtp;

/// <summary>
/// Cuts one JPEG into RTP/JPEG packets (RFC 2435, payload type 26) once, for every client. The packets lie one after
/// the other in one block, each behind the 4-byte prefix of RTSP's interleaved framing (RFC 2326 10.12: '$', channel
/// 0, length): a TCP client on channels 0-1 gets the block in one send, a UDP client gets each packet without its
/// prefix. Every packet has the main JPEG header (Q=255: the tables travel in-band), the first one the quantization
/// table header, each one the restart marker header when the JPEG has a restart interval (type + 64; F=L=1 and count
/// 0x3FFF: the receiver reassembles the whole frame). Sequence numbers are written last (<see cref="StampSequence"/>),
/// so the stream can hand out numbers in the order frames are published.
/// </summary>
public static class RtpJpegPacketizer
{
    /// <summary>Bytes of one RTP packet at most (header and payload): below an Ethernet MTU with IP and UDP headers.</summary>
    public const int MaxPacketSize = 1400;

    public const int PayloadType = 26;

    /// <summary>RTP's clock for video.</summary>
    public const int ClockRate = 90000;

    public const int InterleavedPrefix = 4;

    public const int RtpHeaderSize = 12;

    private const int JpegHeaderSize = 8;
    private const int RestartHeaderSize = 4;
    private const int TableHeaderSize = 4 + 128;

    /// <summary>An upper bound of the block's size for a scan of <paramref name="scanLength"/> bytes.</summary>
    public static int MaxBlockSize(int scanLength)
    {
        const int overhead = InterleavedPrefix + RtpHeaderSize + JpegHeaderSize + RestartHeaderSize;
        const int room = MaxPacketSize - RtpHeaderSize - JpegHeaderSize - RestartHeaderSize - TableHeaderSize;
        var packets = (scanLength / room) + 1;
        return (packets * overhead) + TableHeaderSize + scanLength;
    }

    /// <summary>
    /// Writes the packets of <paramref name="image"/> (parsed from <paramref name="jpeg"/>) into <paramref name="destination"/>
    /// (<see cref="MaxBlockSize"/> bytes at least), with sequence number 0. Returns the bytes written.
    /// </summary>
    public static int Write(in RtpJpegImage image, ReadOnlySpan<byte> jpeg, uint timestamp, uint ssrc, Span<byte> destination)
    {
        var scan = jpeg[image.ScanStart..image.ScanEnd];
        var restart = image.RestartInterval > 0;
        var type = (byte)(image.Type + (restart ? 64 : 0));
        var pos = 0;
        var offset = 0;
        do
        {
            var header = RtpHeaderSize + JpegHeaderSize + (restart ? RestartHeaderSize : 0) + (offset == 0 ? TableHeaderSize : 0);
            var take = Math.Min(scan.Length - offset, MaxPacketSize - header);
            var last = offset + take == scan.Length;
            var packetLength = header + take;
            destination[pos++] = (byte)'$';
            destination[pos++] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(destination[pos..], (ushort)packetLength);
            pos += 2;

            // RTP header: V=2, no padding, extension or CSRC; the marker on the frame's last packet.
            destination[pos++] = 0x80;
            destination[pos++] = (byte)(PayloadType | (last ? 0x80 : 0));
            BinaryPrimitives.WriteUInt16BigEndian(destination[pos..], 0);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(pos + 2)..], timestamp);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(pos + 6)..], ssrc);
            pos += 10;

            // Main JPEG header: type-specific 0, 24-bit fragment offset, type, Q, width/8, height/8.
            destination[pos] = 0;
            destination[pos + 1] = (byte)(offset >> 16);
            destination[pos + 2] = (byte)(offset >> 8);
            destination[pos + 3] = (byte)offset;
            destination[pos + 4] = type;
            destination[pos + 5] = 255;
            destination[pos + 6] = (byte)((image.Width + 7) / 8);
            destination[pos + 7] = (byte)((image.Height + 7) / 8);
            pos += JpegHeaderSize;

            if (restart)
            {
                BinaryPrimitives.WriteUInt16BigEndian(destination[pos..], (ushort)image.RestartInterval);
                BinaryPrimitives.WriteUInt16BigEndian(destination[(pos + 2)..], 0xFFFF); // F=1, L=1, count 0x3FFF
                pos += RestartHeaderSize;
            }

            if (offset == 0)
            {
                destination[pos] = 0; // MBZ
                destination[pos + 1] = 0; // precision: both tables 8-bit
                BinaryPrimitives.WriteUInt16BigEndian(destination[(pos + 2)..], 128);
                jpeg.Slice(image.LumaTableOffset, 64).CopyTo(destination[(pos + 4)..]);
                jpeg.Slice(image.ChromaTableOffset, 64).CopyTo(destination[(pos + 68)..]);
                pos += TableHeaderSize;
            }

            scan.Slice(offset, take).CopyTo(destination[pos..]);
            pos += take;
            offset += take;
        }
        while (offset < scan.Length);

        return pos;
    }

    /// <summary>Writes consecutive sequence numbers from <paramref name="first"/> into the block's packets; returns how many packets it has.</summary>
    public static int StampSequence(Span<byte> block, ushort first)
    {
        var count = 0;
        var offset = 0;
        while (NextPacket(block, ref offset, out var start, out _))
        {
            BinaryPrimitives.WriteUInt16BigEndian(block[(start + 2)..], (ushort)(first + count));
            count++;
        }

        return count;
    }

    /// <summary>
    /// The next RTP packet of a block (without its interleaved prefix): its start and length. <paramref name="offset"/>
    /// moves past it. False at the end of the block.
    /// </summary>
    public static bool NextPacket(ReadOnlySpan<byte> block, ref int offset, out int start, out int length)
    {
        if (offset + InterleavedPrefix > block.Length)
        {
            start = length = 0;
            return false;
        }

        length = BinaryPrimitives.ReadUInt16BigEndian(block[(offset + 2)..]);
        start = offset + InterleavedPrefix;
        offset = start + length;
        return true;
    }
}
