using Microsoft.Extensions.Time.Testing;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Sources.Folder;
using MjpgStreamer.Native.Tests.TestSupport;

namespace MjpgStreamer.Native.Tests.Sources;

/// <summary>One file to one frame, for both input_file.so modes: published or skipped with a reason, deleted with -r.</summary>
public sealed class FolderFileHandlerTests
{
    [Fact]
    public void AGoodFile_IsPublished_AndWithRemoveDeleted()
    {
        using var folder = new TempFolder();
        var path = folder.File("a.jpg");
        File.WriteAllBytes(path, TestJpegs.Frames[0]);
        var context = NewContext(new ListLogger());
        var files = new FolderFileHandler(context, remove: true);

        Assert.Equal(JpegFileOutcome.Good, files.Handle(path, warnOnce: null));

        Assert.Equal(TestJpegs.Frames[0], Current(context));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void ABrokenFile_IsSkippedWithAWarning_OncePerLoopEntryUntilItIsGood()
    {
        using var folder = new TempFolder();
        var path = folder.File("a.jpg");
        File.WriteAllBytes(path, [0xFF, 0xD8, 0xFF]);
        var logger = new ListLogger();
        var context = NewContext(logger);
        var files = new FolderFileHandler(context, remove: false);
        var entry = new FolderEntry(path, "a.jpg");

        Assert.Equal(JpegFileOutcome.Invalid, files.Handle(path, entry));
        Assert.Equal(JpegFileOutcome.Invalid, files.Handle(path, entry));
        var warning = Assert.Single(logger.Warnings);
        Assert.Contains("not a complete JPEG", warning, StringComparison.Ordinal);
        Assert.Equal(0, context.Hub.FramesPublished);
        Assert.Equal(0, context.Pool.Outstanding);

        // Good again, then broken again: that is news worth a second warning.
        File.WriteAllBytes(path, TestJpegs.Frames[1]);
        Assert.Equal(JpegFileOutcome.Good, files.Handle(path, entry));
        File.WriteAllBytes(path, [0xFF, 0xD8, 0xFF]);
        Assert.Equal(JpegFileOutcome.Invalid, files.Handle(path, entry));

        Assert.Equal(2, logger.Warnings.Count);
        Assert.Equal(1, context.Hub.FramesPublished);
        Assert.True(File.Exists(path));
    }

    [Fact]
    public void AVanishedFile_IsOnlyDebugInWatchMode_ButAWarningInTheLoop()
    {
        using var folder = new TempFolder();
        var logger = new ListLogger();
        var files = new FolderFileHandler(NewContext(logger), remove: true);
        var path = folder.File("gone.jpg");

        Assert.Equal(JpegFileOutcome.Missing, files.Handle(path, warnOnce: null));
        Assert.Empty(logger.Warnings);

        Assert.Equal(JpegFileOutcome.Missing, files.Handle(path, new FolderEntry(path, "gone.jpg")));
        Assert.Contains("no longer exists", Assert.Single(logger.Warnings), StringComparison.Ordinal);
    }

    private static SourceContext NewContext(ListLogger logger) => new(0, new LatestFrameHub(new FakeTimeProvider()), new FramePool(), logger);

    private static byte[] Current(SourceContext context)
    {
        var frame = context.Hub.AcquireCurrent();
        Assert.NotNull(frame);
        try
        {
            return frame.Span.ToArray();
        }
        finally
        {
            frame.Release();
        }
    }
}
