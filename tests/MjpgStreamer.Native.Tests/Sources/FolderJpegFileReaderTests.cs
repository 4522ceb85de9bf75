using MjpgStreamer.Core.Frames;
using MjpgStreamer.Native.Sources.Folder;
using MjpgStreamer.Native.Tests.TestSupport;

namespace MjpgStreamer.Native.Tests.Sources;

/// <summary>input_file.so's file check: only complete JPEGs become frames, everything else says why.</summary>
public sealed class FolderJpegFileReaderTests
{
    [Fact]
    public void ACompleteJpeg_IsReadAsIs()
    {
        using var folder = new TempFolder();
        var path = folder.File("a.jpg");
        File.WriteAllBytes(path, TestJpegs.Frames[0]);
        var frame = new FramePool().Rent();

        Assert.Equal(JpegFileOutcome.Good, JpegFileReader.Read(path, frame, out var problem));
        Assert.Null(problem);
        Assert.Equal(TestJpegs.Frames[0], frame.Data.ToArray());
    }

    [Fact]
    public void AnEmptyFile_IsInvalid()
    {
        using var folder = new TempFolder();
        var path = folder.File("empty.jpg");
        File.WriteAllBytes(path, []);

        Assert.Equal(JpegFileOutcome.Invalid, JpegFileReader.Read(path, new FramePool().Rent(), out var problem));
        Assert.Equal("the file is empty", problem);
    }

    [Fact]
    public void AHalfWrittenJpeg_IsInvalid()
    {
        using var folder = new TempFolder();
        var path = folder.File("half.jpg");
        var jpeg = TestJpegs.Frames[1];
        File.WriteAllBytes(path, jpeg[..(jpeg.Length / 2)]);

        Assert.Equal(JpegFileOutcome.Invalid, JpegFileReader.Read(path, new FramePool().Rent(), out var problem));
        Assert.Equal("not a complete JPEG (corrupt or truncated)", problem);
    }

    [Fact]
    public void AFileLargerThanTheLimit_IsInvalid_WithoutBeingRead()
    {
        using var folder = new TempFolder();
        var path = folder.File("huge.jpg");
        using (var stream = File.Create(path))
        {
            // Sparse: no disk space is used.
            stream.SetLength(JpegFileReader.MaxFileBytes + 1L);
        }

        var frame = new FramePool().Rent();

        Assert.Equal(JpegFileOutcome.Invalid, JpegFileReader.Read(path, frame, out var problem));
        Assert.Equal($"the file is larger than {JpegFileReader.MaxFileBytes} bytes", problem);
        Assert.Equal(0, frame.Length);
    }

    [Fact]
    public void AMissingFile_IsMissing()
    {
        using var folder = new TempFolder();

        Assert.Equal(JpegFileOutcome.Missing, JpegFileReader.Read(folder.File("gone.jpg"), new FramePool().Rent(), out _));
        Assert.Equal(JpegFileOutcome.Missing, JpegFileReader.Read(Path.Join(folder.Path, "no-such-folder", "a.jpg"), new FramePool().Rent(), out _));
    }

    [Theory]
    [InlineData("frame.jpg", true)]
    [InlineData("FRAME.JPG", true)]
    [InlineData("frame.jpg.bak", true)]
    [InlineData("frame.Jpg", false)]
    [InlineData("frame.jpeg", false)]
    [InlineData("frame.png", false)]
    public void TheExistingLoop_TakesNamesContainingDotJpg(string name, bool taken)
    {
        Assert.Equal(taken, FolderExistingMode.IsJpgName(name));
    }
}
