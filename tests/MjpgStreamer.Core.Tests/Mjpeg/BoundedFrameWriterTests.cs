using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Mjpeg;

namespace MjpgStreamer.Core.Tests.Mjpeg;

/// <summary>The frame size limit shared by both MJPEG parsers, and its count of dropped frames.</summary>
public sealed class BoundedFrameWriterTests
{
    [Fact]
    public void BytesWithinTheLimit_AreKept()
    {
        var writer = new BoundedFrameWriter(maxFrameBytes: 8);
        var frame = new FramePool().Rent();

        writer.Begin(frame);
        writer.Append(frame, [1, 2, 3]);
        writer.Append(frame, [4, 5, 6, 7, 8]);

        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], frame.Data.ToArray());
        Assert.True(writer.End());
        Assert.Equal(0, writer.CorruptFrames);
    }

    [Fact]
    public void AFrameOverTheLimit_IsEmptiedAndCountedOnce_AndTheNextFrameIsKept()
    {
        var writer = new BoundedFrameWriter(maxFrameBytes: 8);
        var frame = new FramePool().Rent();

        writer.Begin(frame);
        writer.Append(frame, [1, 2, 3, 4, 5]);
        writer.Append(frame, [6, 7, 8, 9]);
        writer.Append(frame, [10]);

        // Its later bytes are ignored, and its end says it is not a frame; a Drop on top does not count it again.
        Assert.Equal(0, frame.Length);
        Assert.True(writer.Discarding);
        writer.Drop();
        Assert.Equal(1, writer.CorruptFrames);

        writer.Begin(frame);
        writer.Append(frame, [42]);
        Assert.Equal([42], frame.Data.ToArray());
        Assert.True(writer.End());
        Assert.Equal(1, writer.CorruptFrames);
    }

    [Fact]
    public void TheEndOfAnOversizedFrame_IsNotAFrame_AndNotCountedTwice()
    {
        var writer = new BoundedFrameWriter(maxFrameBytes: 4);
        var frame = new FramePool().Rent();

        writer.Begin(frame);
        writer.Append(frame, [1, 2, 3, 4, 5]);

        Assert.False(writer.End());
        Assert.False(writer.Discarding);
        Assert.Equal(1, writer.CorruptFrames);
    }

    [Fact]
    public void DroppingABrokenFrame_CountsIt()
    {
        var writer = new BoundedFrameWriter(maxFrameBytes: 4);
        var frame = new FramePool().Rent();

        writer.Begin(frame);
        writer.Append(frame, [1]);
        writer.Drop();
        writer.CountCorrupt();

        Assert.Equal(2, writer.CorruptFrames);
    }
}
