using System.Globalization;
using System.Text;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Mjpeg;

namespace MjpgStreamer.Core.Tests.Mjpeg;

/// <summary>The multipart framer on its own: parts in, their JPEGs out, bad parts dropped and counted.</summary>
public sealed class MultipartFramerTests
{
    private static readonly byte[] Plain = SyntheticJpeg.Create(320, 240, seed: 21);
    private static readonly byte[] WithThumbnail = SyntheticJpeg.Create(640, 480, seed: 22, thumbnail: true);
    private static readonly byte[] Progressive = SyntheticJpeg.Create(160, 120, seed: 23, progressive: true);

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100_000)]
    public void PartsWithContentLength_ComeOutWhole(int piece)
    {
        var data = Parts("ffmpeg", withLength: true, Plain, WithThumbnail, Progressive);

        var (frames, writer) = FrameAll(data, piece);

        Assert.Equal([Plain, WithThumbnail, Progressive], frames);
        Assert.Equal(0, writer.CorruptFrames);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100_000)]
    public void PartsWithoutContentLength_EndAtTheNextBoundary(int piece)
    {
        var data = Parts("boundarydonotcross", withLength: false, Plain, WithThumbnail, Progressive);

        var (frames, writer) = FrameAll(data, piece);

        Assert.Equal([Plain, WithThumbnail, Progressive], frames);
        Assert.Equal(0, writer.CorruptFrames);
    }

    [Fact]
    public void TheBoundaryDeclaredInAnHttpResponseHeader_IsUsed_QuotesAndDashesRemoved()
    {
        var data = Concat(
            "HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=\"--cam\"\r\n\r\n"u8.ToArray(),
            "--cam\r\nContent-Type: image/jpeg\r\n\r\n"u8.ToArray(), Plain,
            "\r\n--cam\r\nContent-Type: image/jpeg\r\n\r\n"u8.ToArray(), Progressive,
            "\r\n--cam\r\n"u8.ToArray());

        var (frames, writer) = FrameAll(data, 13);

        Assert.Equal([Plain, Progressive], frames);
        Assert.Equal(0, writer.CorruptFrames);
    }

    [Fact]
    public void PartsWithNeitherLengthNorBoundary_EndWhereTheirJpegEnds()
    {
        var data = Concat(
            "Content-Type: image/jpeg\r\n\r\n"u8.ToArray(), WithThumbnail,
            "\r\nContent-Type: image/jpeg\r\n\r\n"u8.ToArray(), Progressive);

        var (frames, writer) = FrameAll(data, 5);

        Assert.Equal([WithThumbnail, Progressive], frames);
        Assert.Equal(0, writer.CorruptFrames);
    }

    [Fact]
    public void APartThatIsNotAJpeg_IsDroppedAndCounted()
    {
        var data = Parts("b", withLength: true, "not a JPEG at all"u8.ToArray(), Plain);

        var (frames, writer) = FrameAll(data, 64);

        Assert.Equal([Plain], frames);
        Assert.Equal(1, writer.CorruptFrames);
    }

    [Fact]
    public void APartOverTheLimit_IsDroppedAndCountedOnce()
    {
        var big = SyntheticJpeg.Create(64, 64, seed: 9, entropyBytes: 20_000);
        var data = Parts("b", withLength: false, Plain, big, Progressive);

        var (frames, writer) = FrameAll(data, 1000, maxFrameBytes: 8 * 1024);

        Assert.Equal([Plain, Progressive], frames);
        Assert.Equal(1, writer.CorruptFrames);
    }

    [Fact]
    public void AnOverlongJunkLine_IsSkipped()
    {
        var data = Concat(
            "--b\r\n"u8.ToArray(),
            Encoding.ASCII.GetBytes(new string('x', 2 * MultipartFramer.MaxLineBytes)), "\r\n"u8.ToArray(),
            "Content-Type: image/jpeg\r\n\r\n"u8.ToArray(), Plain, "\r\n--b\r\n"u8.ToArray());

        var (frames, writer) = FrameAll(data, 1);

        Assert.Equal([Plain], frames);
        Assert.Equal(0, writer.CorruptFrames);
    }

    [Fact]
    public void AtTheEnd_ABoundaryEndedPartWithoutItsClosingBoundary_IsStillAFrame()
    {
        var data = Concat("--cam\nContent-Type: image/jpeg\n\n"u8.ToArray(), Plain, "\n"u8.ToArray());

        var (frames, writer) = FrameAll(data, 11);

        Assert.Equal([Plain], frames);
        Assert.Equal(0, writer.CorruptFrames);
    }

    [Fact]
    public void AtTheEnd_APartShorterThanItsContentLength_IsDroppedAndCounted()
    {
        var data = Concat(Parts("b", withLength: true, Plain), Parts("b", withLength: true, Progressive)[..200]);

        var (frames, writer) = FrameAll(data, 50);

        Assert.Equal([Plain], frames);
        Assert.Equal(1, writer.CorruptFrames);
    }

    [Fact]
    public void AnAbandonedPart_IsCounted_AndTheNextPartComesOutWhole()
    {
        var writer = new BoundedFrameWriter(MjpegStreamReader.DefaultMaxFrameBytes);
        var framer = new MultipartFramer(writer);
        var frame = new FramePool().Rent();
        var first = Parts("b", withLength: true, Plain);

        // Stop half-way through the first part's body, as a cancelled read does.
        var rest = Drive(framer, first.AsSpan(0, first.Length / 2), frame, []);
        Assert.True(framer.InFrame);
        framer.Abandon();
        var frames = new List<byte[]>();
        Drive(framer, Concat(rest.ToArray(), Parts("b", withLength: true, Progressive)), frame, frames);

        Assert.Equal([Progressive], frames);
        Assert.Equal(1, writer.CorruptFrames);
    }

    /// <summary>Runs the framer over <paramref name="data"/> in pieces of <paramref name="piece"/> bytes, as the reader's buffer would fill.</summary>
    private static (List<byte[]> Frames, BoundedFrameWriter Writer) FrameAll(byte[] data, int piece, int maxFrameBytes = MjpegStreamReader.DefaultMaxFrameBytes)
    {
        var writer = new BoundedFrameWriter(maxFrameBytes);
        var framer = new MultipartFramer(writer);
        var frame = new FramePool().Rent();
        var frames = new List<byte[]>();
        var start = 0;
        for (var end = Math.Min(piece, data.Length); ; end = Math.Min(end + piece, data.Length))
        {
            start = end - Drive(framer, data.AsSpan(start, end - start), frame, frames).Length;
            if (end == data.Length)
            {
                break;
            }
        }

        if (framer.FinishAtEnd(data.AsSpan(start), frame, out _))
        {
            frames.Add(frame.Data.ToArray());
        }

        return (frames, writer);
    }

    /// <summary>Parses until the framer needs more bytes; returns the bytes it left unconsumed.</summary>
    private static ReadOnlySpan<byte> Drive(MultipartFramer framer, ReadOnlySpan<byte> window, Frame frame, List<byte[]> frames)
    {
        while (true)
        {
            var step = framer.Parse(window, frame, out var consumed);
            window = window[consumed..];
            if (step == ParseStep.Frame)
            {
                frames.Add(frame.Data.ToArray());
            }
            else if (step == ParseStep.NeedMore)
            {
                return window;
            }
        }
    }

    private static byte[] Parts(string boundary, bool withLength, params byte[][] parts)
    {
        var output = new MemoryStream();
        foreach (var part in parts)
        {
            var header = withLength
                ? $"--{boundary}\r\nContent-Type: image/jpeg\r\nContent-Length: {part.Length.ToString(CultureInfo.InvariantCulture)}\r\n\r\n"
                : $"--{boundary}\r\nContent-Type: image/jpeg\r\n\r\n";
            output.Write(Encoding.ASCII.GetBytes(header));
            output.Write(part);
            output.Write("\r\n"u8);
        }

        output.Write(Encoding.ASCII.GetBytes($"--{boundary}\r\n"));
        return output.ToArray();
    }

    private static byte[] Concat(params byte[][] pieces) => [.. pieces.SelectMany(p => p)];
}
