using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Mjpeg;

namespace MjpgStreamer.Core.Tests.Mjpeg;

/// <summary>The SOI/EOI scanner on its own: bytes in, whole JPEGs out, broken ones dropped and counted.</summary>
public sealed class JpegScannerTests
{
    private static readonly byte[] Plain = SyntheticJpeg.Create(320, 240, seed: 11);
    private static readonly byte[] WithThumbnail = SyntheticJpeg.Create(640, 480, seed: 12, thumbnail: true);
    private static readonly byte[] Progressive = SyntheticJpeg.Create(160, 120, seed: 13, progressive: true);

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(4096)]
    public void BackToBackJpegsInPieces_ComeOutWhole(int piece)
    {
        var (frames, writer) = ScanAll(Concat(WithThumbnail, Plain, Progressive), piece);

        Assert.Equal([WithThumbnail, Plain, Progressive], frames);
        Assert.Equal(0, writer.CorruptFrames);
    }

    [Fact]
    public void AFrameEnds_RightAfterItsEoi_AndTheRestIsLeftForTheNextCall()
    {
        var writer = new BoundedFrameWriter(MjpegStreamReader.DefaultMaxFrameBytes);
        var scanner = new JpegScanner(writer);
        var frame = new FramePool().Rent();
        var data = Concat(Plain, Progressive);

        var consumed = scanner.Scan(data, frame, out var complete);

        Assert.True(complete);
        Assert.Equal(Plain.Length, consumed);
        Assert.Equal(Plain, frame.Data.ToArray());
        Assert.False(scanner.InFrame);
    }

    [Fact]
    public void JunkAroundFrames_IsSkippedWithoutCounting()
    {
        var data = Concat("banner\n"u8.ToArray(), [0xFF, 0x00, 0xFF, 0xFF, 0xD9], Plain, [0x00, 0xFF, 0xFE], Progressive, [0x12]);

        var (frames, writer) = ScanAll(data, 3);

        Assert.Equal([Plain, Progressive], frames);
        Assert.Equal(0, writer.CorruptFrames);
    }

    [Fact]
    public void AnEoiInsideAThumbnail_DoesNotEndTheFrame()
    {
        var (frames, _) = ScanAll(WithThumbnail, 1);

        Assert.Equal([WithThumbnail], frames);
    }

    [Fact]
    public void AFrameCutShortByTheNextSoi_IsDroppedAndCounted()
    {
        var data = Concat(Plain[..(Plain.Length - 40)], Progressive);

        var (frames, writer) = ScanAll(data, 7);

        Assert.Equal([Progressive], frames);
        Assert.Equal(1, writer.CorruptFrames);
    }

    [Fact]
    public void ABrokenSegmentStructure_IsDroppedAndCounted()
    {
        // After the APP0 segment the next byte must be FF.
        var broken = (byte[])Plain.Clone();
        broken[2 + 2 + 16] = 0x42;

        var (frames, writer) = ScanAll(Concat(broken, Progressive), 64);

        Assert.Equal([Progressive], frames);
        Assert.Equal(1, writer.CorruptFrames);
    }

    [Fact]
    public void AFrameOverTheLimit_IsDroppedAndCountedOnce()
    {
        var big = SyntheticJpeg.Create(64, 64, seed: 9, entropyBytes: 20_000);

        var (frames, writer) = ScanAll(Concat(Plain, big, Plain), 1000, maxFrameBytes: 8 * 1024);

        Assert.Equal([Plain, Plain], frames);
        Assert.Equal(1, writer.CorruptFrames);
    }

    [Fact]
    public void AnAbandonedFrame_IsCounted_AndTheNextFrameComesOutWhole()
    {
        var writer = new BoundedFrameWriter(MjpegStreamReader.DefaultMaxFrameBytes);
        var scanner = new JpegScanner(writer);
        var frame = new FramePool().Rent();

        scanner.Scan(Plain.AsSpan(0, 100), frame, out var complete);
        Assert.False(complete);
        Assert.True(scanner.InFrame);

        scanner.Abandon();
        var consumed = scanner.Scan(Progressive, frame, out complete);

        Assert.True(complete);
        Assert.Equal(Progressive.Length, consumed);
        Assert.Equal(Progressive, frame.Data.ToArray());
        Assert.Equal(1, writer.CorruptFrames);
    }

    private static (List<byte[]> Frames, BoundedFrameWriter Writer) ScanAll(byte[] data, int piece, int maxFrameBytes = MjpegStreamReader.DefaultMaxFrameBytes)
    {
        var writer = new BoundedFrameWriter(maxFrameBytes);
        var scanner = new JpegScanner(writer);
        var frame = new FramePool().Rent();
        var frames = new List<byte[]>();
        for (var offset = 0; offset < data.Length; offset += piece)
        {
            var chunk = data.AsSpan(offset, Math.Min(piece, data.Length - offset));
            while (!chunk.IsEmpty)
            {
                var consumed = scanner.Scan(chunk, frame, out var complete);
                chunk = chunk[consumed..];
                if (complete)
                {
                    frames.Add(frame.Data.ToArray());
                }
            }
        }

        return (frames, writer);
    }

    private static byte[] Concat(params byte[][] pieces) => [.. pieces.SelectMany(p => p)];
}
