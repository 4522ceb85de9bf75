using System.Diagnostics;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Streaming;

namespace MjpgStreamer.Native.Sources.Uvc;

/// <summary>
/// How a camera's MJPEG frame leaves the driver's buffer: copied once, with the standard Huffman tables
/// inserted where the camera left them out (most UVC cameras do; browsers need them), and stamped with
/// the capture time on the wall clock. Shared by the stream and the still.
/// </summary>
internal static class UvcFrameCopy
{
    /// <summary>Publishes the frame; false for a truncated one (no SOI or EOI), which is dropped.</summary>
    public static bool TryPublishJpeg(ReadOnlySpan<byte> data, long timestampUs, SourceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!JpegInfo.HasSoiAndEoi(data))
        {
            return false;
        }

        var insertAt = StandardHuffmanTables.FindInsertionPoint(data);
        var frame = context.RentFrame(data.Length + StandardHuffmanTables.Segment.Length);
        if (insertAt < 0)
        {
            frame.Write(data);
        }
        else
        {
            var length = StandardHuffmanTables.CopyWithTables(data, insertAt, frame.GetWritableSpan(data.Length + StandardHuffmanTables.Segment.Length));
            frame.SetLength(length);
        }

        frame.TimestampUs = timestampUs;
        context.Publish(frame);
        return true;
    }

    /// <summary>The frame as a new array with Huffman tables; null for a truncated one.</summary>
    public static byte[]? ToJpeg(ReadOnlySpan<byte> data)
    {
        if (!JpegInfo.HasSoiAndEoi(data))
        {
            return null;
        }

        var insertAt = StandardHuffmanTables.FindInsertionPoint(data);
        if (insertAt < 0)
        {
            return data.ToArray();
        }

        var jpeg = new byte[data.Length + StandardHuffmanTables.Segment.Length];
        StandardHuffmanTables.CopyWithTables(data, insertAt, jpeg);
        return jpeg;
    }

    /// <summary>The capture time on the wall clock (X-Timestamp), from the driver's monotonic buffer time.</summary>
    public static long WallClockOf(long monotonicUs, SourceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var nowUs = context.NowMicroseconds();
        if (monotonicUs <= 0)
        {
            return nowUs;
        }

        var monotonicNowUs = Stopwatch.GetTimestamp() / (Stopwatch.Frequency / 1_000_000);
        var age = monotonicNowUs - monotonicUs;
        return age is >= 0 and < 2_000_000 ? nowUs - age : nowUs;
    }
}
