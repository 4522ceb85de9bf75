using System.Text;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Mjpeg;

namespace MjpgStreamer.Core.Tests.Mjpeg;

public sealed class MjpegStreamReaderTests
{
    private static readonly byte[] Plain = SyntheticJpeg.Create(320, 240, seed: 1);
    private static readonly byte[] WithThumbnail = SyntheticJpeg.Create(640, 480, seed: 2, thumbnail: true);
    private static readonly byte[] Progressive = SyntheticJpeg.Create(160, 120, seed: 3, progressive: true);

    [Fact]
    public void SyntheticJpegsAreWellFormed()
    {
        Assert.True(JpegInfo.IsWellFormed(Plain));
        Assert.True(JpegInfo.IsWellFormed(WithThumbnail));
        Assert.True(JpegInfo.IsWellFormed(Progressive));
    }

    [Fact]
    public async Task BackToBackJpegs_AreReadOneByOne()
    {
        var (frames, reader) = await ReadAll(new MemoryStream(Concat(Plain, WithThumbnail, Progressive, Plain)));

        Assert.Equal([Plain, WithThumbnail, Progressive, Plain], frames);
        Assert.Equal(0, reader.CorruptFrames);
        Assert.False(reader.IsMultipart);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(100)]
    [InlineData(5000)]
    public async Task BackToBackJpegs_InSmallPieces_AreReadExactly(int maxChunk)
    {
        var data = Concat(WithThumbnail, Plain, Progressive);
        for (var seed = 0; seed < 5; seed++)
        {
            var (frames, reader) = await ReadAll(new ChunkedStream(data, maxChunk, seed));

            Assert.Equal([WithThumbnail, Plain, Progressive], frames);
            Assert.Equal(0, reader.CorruptFrames);
        }
    }

    [Fact]
    public async Task BackToBackJpegs_SplitAtEveryByteBoundary_AreReadExactly()
    {
        var data = Concat(WithThumbnail, Plain);
        for (var split = 1; split < data.Length; split++)
        {
            var (frames, reader) = await ReadAll(ChunkedStream.SplitAt(data, split));

            Assert.True(frames.Count == 2 && frames[0].SequenceEqual(WithThumbnail) && frames[1].SequenceEqual(Plain), $"split at {split}");
            Assert.Equal(0, reader.CorruptFrames);
        }
    }

    [Fact]
    public async Task EoiInsideAThumbnailOrComment_DoesNotEndTheFrame()
    {
        // The naive "first FFD9" would cut this frame inside its Exif thumbnail.
        var naiveEnd = WithThumbnail.AsSpan().IndexOf([(byte)0xFF, (byte)0xD9]) + 2;
        Assert.True(naiveEnd < WithThumbnail.Length);

        var (frames, _) = await ReadAll(new ChunkedStream(WithThumbnail, 1));

        var frame = Assert.Single(frames);
        Assert.Equal(WithThumbnail, frame);
        Assert.True(JpegInfo.TryReadSize(frame, out var width, out var height));
        Assert.Equal((640, 480), (width, height));
    }

    [Fact]
    public async Task JunkBeforeAndBetweenFrames_IsSkipped()
    {
        var data = Concat(
            "ffmpeg version 6 banner line\n"u8.ToArray(),
            [0xFF, 0x00, 0xFF, 0xFF, 0xD9, 0x12, 0xFF],
            Plain,
            "\r\n\r\n"u8.ToArray(),
            [0x00, 0xFF, 0xFE, 0x42],
            Progressive,
            [0x00, 0x00]);

        var (frames, reader) = await ReadAll(new ChunkedStream(data, 3));

        Assert.Equal([Plain, Progressive], frames);
        Assert.Equal(0, reader.CorruptFrames);
    }

    [Fact]
    public async Task TruncatedFinalFrame_IsDroppedAndCounted()
    {
        var data = Concat(Plain, WithThumbnail, Progressive[..(Progressive.Length / 2)]);

        var (frames, reader) = await ReadAll(new ChunkedStream(data, 50));

        Assert.Equal([Plain, WithThumbnail], frames);
        Assert.Equal(1, reader.CorruptFrames);
    }

    [Fact]
    public async Task FrameCutShortInItsScanByTheNextSoi_IsDroppedAndTheNextOneRead()
    {
        // FFD8 cannot occur inside scan data, so it starts the next frame at once.
        var cutInScan = Plain[..(Plain.Length - 40)];
        var data = Concat(cutInScan, Progressive, cutInScan, Plain);

        var (frames, reader) = await ReadAll(new ChunkedStream(data, 13));

        Assert.Equal([Progressive, Plain], frames);
        Assert.Equal(2, reader.CorruptFrames);
    }

    [Fact]
    public async Task FrameCutShortInALongSegment_CostsAtMostTheFramesItSwallows()
    {
        // Cut inside the Exif segment: its length swallows what follows, which cannot be helped; later frames come back.
        var cutInHeaders = WithThumbnail[..30];
        var data = Concat(Progressive, cutInHeaders, Plain, Plain, Plain, Plain);

        var (frames, reader) = await ReadAll(new ChunkedStream(data, 13));

        Assert.Equal(Progressive, frames[0]);
        Assert.Equal(Plain, frames[^1]);
        Assert.InRange(frames.Count, 3, 5);
        Assert.All(frames, f => Assert.True(JpegInfo.IsWellFormed(f)));
        Assert.InRange(reader.CorruptFrames, 1, 2);
    }

    [Fact]
    public async Task BrokenSegmentStructure_IsDroppedAndTheReaderResynchronises()
    {
        // After the APP0 segment the next byte must be FF; here it is not.
        var broken = (byte[])Plain.Clone();
        broken[2 + 2 + 16] = 0x42;
        var data = Concat(broken, WithThumbnail);

        var (frames, reader) = await ReadAll(new MemoryStream(data));

        // The thumbnail inside the good frame's APP1 must not surface as a frame of its own.
        Assert.Equal([WithThumbnail], frames);
        Assert.Equal(1, reader.CorruptFrames);
    }

    [Fact]
    public async Task OversizedFrame_IsDroppedAndCountedOnce()
    {
        var big = SyntheticJpeg.Create(64, 64, seed: 9, entropyBytes: 20_000);
        var data = Concat(Plain, big, Plain);

        var (frames, reader) = await ReadAll(new ChunkedStream(data, 4096), maxFrameBytes: 8 * 1024);

        Assert.Equal([Plain, Plain], frames);
        Assert.Equal(1, reader.CorruptFrames);
    }

    [Fact]
    public async Task EmptyStream_EndsWithoutFrames()
    {
        var (frames, reader) = await ReadAll(new MemoryStream([]));

        Assert.Empty(frames);
        Assert.Equal(0, reader.CorruptFrames);
    }

    [Fact]
    public async Task MultipartWithContentLength_AsFfmpegWritesIt()
    {
        var data = Multipart("ffmpeg", withLength: true, Plain, WithThumbnail, Progressive);

        var (frames, reader) = await ReadAll(new ChunkedStream(data, 7));

        Assert.Equal([Plain, WithThumbnail, Progressive], frames);
        Assert.Equal(0, reader.CorruptFrames);
        Assert.True(reader.IsMultipart);
    }

    [Fact]
    public async Task MultipartWithoutContentLength_EndsEachPartAtTheBoundary()
    {
        var data = Multipart("boundarydonotcross", withLength: false, Plain, WithThumbnail, Progressive);

        var (frames, reader) = await ReadAll(new ChunkedStream(data, 5));

        Assert.Equal([Plain, WithThumbnail, Progressive], frames);
        Assert.Equal(0, reader.CorruptFrames);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Multipart_SplitAtEveryByteBoundary_IsReadExactly(bool withLength)
    {
        var data = Multipart("xyz", withLength, Plain, Progressive);
        for (var split = 1; split < data.Length; split++)
        {
            var (frames, reader) = await ReadAll(ChunkedStream.SplitAt(data, split));

            Assert.True(frames.Count == 2 && frames[0].SequenceEqual(Plain) && frames[1].SequenceEqual(Progressive), $"split at {split}");
            Assert.Equal(0, reader.CorruptFrames);
        }
    }

    [Fact]
    public async Task Multipart_WithBareLineFeedsAndNoClosingBoundary()
    {
        var data = Concat(
            "--cam\nContent-Type: image/jpeg\n\n"u8.ToArray(), Plain,
            "\n--cam\ncontent-type: image/jpeg\n\n"u8.ToArray(), WithThumbnail);

        var (frames, reader) = await ReadAll(new ChunkedStream(data, 11));

        Assert.Equal([Plain, WithThumbnail], frames);
        Assert.Equal(0, reader.CorruptFrames);
    }

    [Fact]
    public async Task Multipart_HeadersFirst_WithoutBoundaryYet()
    {
        // Some cameras start with the part headers and put the boundary after each part.
        var data = Concat(
            "Content-Type: image/jpeg\r\n\r\n"u8.ToArray(), Plain,
            "\r\n--frame\r\nContent-Type: image/jpeg\r\n\r\n"u8.ToArray(), Progressive,
            "\r\n--frame\r\n"u8.ToArray());

        var (frames, reader) = await ReadAll(new ChunkedStream(data, 9));

        Assert.Equal([Plain, Progressive], frames);
        Assert.True(reader.IsMultipart);
        Assert.Equal(0, reader.CorruptFrames);
    }

    [Fact]
    public async Task Multipart_BehindAnHttpResponseHeader()
    {
        // What `curl -i http://camera/?action=stream` writes.
        var data = Concat(
            "HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=boundarydonotcross\r\n\r\n"u8.ToArray(),
            Multipart("boundarydonotcross", withLength: false, Plain, Progressive));

        var (frames, reader) = await ReadAll(new ChunkedStream(data, 17));

        Assert.Equal([Plain, Progressive], frames);
        Assert.Equal(0, reader.CorruptFrames);
    }

    [Fact]
    public async Task Multipart_PartsWithoutHeaders()
    {
        var data = Concat("--b\r\n"u8.ToArray(), Plain, "\r\n--b\r\n\r\n"u8.ToArray(), Progressive, "\r\n--b--\r\n"u8.ToArray());

        var (frames, _) = await ReadAll(new MemoryStream(data));

        Assert.Equal([Plain, Progressive], frames);
    }

    [Fact]
    public async Task Multipart_BadPartsAreDroppedAndCounted()
    {
        var notJpeg = "hello, this is not a JPEG"u8.ToArray();
        var big = SyntheticJpeg.Create(64, 64, seed: 9, entropyBytes: 20_000);
        var data = Multipart("b", withLength: true, notJpeg, Plain, big, Progressive);

        var (frames, reader) = await ReadAll(new ChunkedStream(data, 1000), maxFrameBytes: 8 * 1024);

        Assert.Equal([Plain, Progressive], frames);
        Assert.Equal(2, reader.CorruptFrames);
    }

    [Fact]
    public async Task Multipart_WrongContentLength_Resynchronises()
    {
        var data = Concat(
            "--b\r\nContent-Length: 10\r\n\r\n"u8.ToArray(), Plain,
            "\r\n--b\r\nContent-Length: "u8.ToArray(), Encoding.ASCII.GetBytes(Progressive.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            "\r\n\r\n"u8.ToArray(), Progressive, "\r\n"u8.ToArray());

        var (frames, reader) = await ReadAll(new ChunkedStream(data, 64));

        Assert.Equal([Progressive], frames);
        Assert.Equal(1, reader.CorruptFrames);
    }

    [Theory]
    [InlineData("")]
    [InlineData("--b\r\n\r\n")]
    [InlineData("Content-Type: image/jpeg\r\n\r\n")]
    public async Task RandomGarbage_EndsWithoutFramesOrExceptions(string prefix)
    {
        var garbage = new byte[4 * 1024 * 1024];
        new Random(42).NextBytes(garbage);
        var data = Concat(Encoding.ASCII.GetBytes(prefix), garbage);

        var (frames, _) = await ReadAll(new ChunkedStream(data, 70_000));

        Assert.All(frames, f => Assert.False(JpegInfo.IsWellFormed(f)));
        Assert.True(frames.Count < 5);
    }

    [Fact]
    public async Task EndlessFrameWithoutEoi_IsBoundedByTheLimit()
    {
        // An SOI, headers, then scan data that never ends: memory stays bounded and the stream's end ends it.
        var header = Plain[..(Plain.AsSpan().IndexOf([(byte)0xFF, (byte)0xDA]) + 14)];
        var filler = new byte[3 * 1024 * 1024];
        Array.Fill(filler, (byte)0x55);
        var data = Concat(header, filler, Plain);

        var frame = new FramePool().Rent();
        var reader = new MjpegStreamReader(new ChunkedStream(data, 65536), maxFrameBytes: 1024 * 1024);

        // The endless frame is dropped at the limit; the SOI after it starts the next frame.
        Assert.True(await reader.ReadFrameAsync(frame));
        Assert.Equal(Plain, frame.Data.ToArray());
        Assert.Equal(1, reader.CorruptFrames);
        Assert.False(await reader.ReadFrameAsync(frame));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReadingManyFrames_AllocatesNothingPerFrame(bool multipart)
    {
        const int Frames = 6000;
        var data = multipart
            ? Multipart("ffmpeg", withLength: true, Enumerable.Repeat(WithThumbnail, Frames).ToArray())
            : Concat(Enumerable.Repeat(WithThumbnail, Frames).ToArray());
        var reader = new MjpegStreamReader(new MemoryStream(data), bufferSize: 16 * 1024);
        var frame = new FramePool().Rent(WithThumbnail.Length);

        // Warm up: buffers grow and the JIT settles (its allocations are not the reader's).
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(await reader.ReadFrameAsync(frame));
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var count = 0;
        while (await reader.ReadFrameAsync(frame))
        {
            count++;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(Frames - 1000, count);
        Assert.True(allocated < 32 * 1024, $"{allocated} bytes allocated for {count} frames");
    }

    [Fact]
    public async Task Cancellation_IsObserved()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var reader = new MjpegStreamReader(new ChunkedStream(Plain, 10));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await reader.ReadFrameAsync(new FramePool().Rent(), cts.Token));
    }

    private static async Task<(List<byte[]> Frames, MjpegStreamReader Reader)> ReadAll(Stream stream, int maxFrameBytes = MjpegStreamReader.DefaultMaxFrameBytes)
    {
        var reader = new MjpegStreamReader(stream, maxFrameBytes, bufferSize: 8192);
        var pool = new FramePool();
        var frames = new List<byte[]>();
        for (var i = 0; i < 10_000; i++)
        {
            var frame = pool.Rent();
            try
            {
                if (!await reader.ReadFrameAsync(frame))
                {
                    return (frames, reader);
                }

                frames.Add(frame.Data.ToArray());
            }
            finally
            {
                frame.Release();
            }
        }

        throw new InvalidOperationException("the reader did not reach the end of the stream");
    }

    private static byte[] Multipart(string boundary, bool withLength, params byte[][] parts)
    {
        var output = new MemoryStream();
        foreach (var part in parts)
        {
            var header = withLength
                ? $"--{boundary}\r\nContent-type: image/jpeg\r\nContent-length: {part.Length}\r\n\r\n"
                : $"--{boundary}\r\nContent-Type: image/jpeg\r\nX-Timestamp: 1.000000\r\n\r\n";
            output.Write(Encoding.ASCII.GetBytes(header));
            output.Write(part);
            output.Write("\r\n"u8);
        }

        output.Write(Encoding.ASCII.GetBytes($"--{boundary}\r\n"));
        return output.ToArray();
    }

    private static byte[] Concat(params byte[][] pieces) => [.. pieces.SelectMany(p => p)];
}
