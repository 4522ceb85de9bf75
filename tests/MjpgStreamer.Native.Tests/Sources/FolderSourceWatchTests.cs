using Microsoft.Extensions.Time.Testing;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Sources;
using MjpgStreamer.Native.Tests.TestSupport;

namespace MjpgStreamer.Native.Tests.Sources;

/// <summary>Watch mode (default): files that are written or moved into the folder become frames.</summary>
public sealed class FolderSourceWatchTests
{
    private static async Task<SourceRun> StartAsync(FolderSource source, TimeProvider? time = null, ListLogger? logger = null)
    {
        var run = new SourceRun(source, time ?? TimeProvider.System, logger ?? new ListLogger());
        await run.WaitForStateAsync(InputState.Starting, "waiting for new files in");
        return run;
    }

    [Fact]
    public async Task NewFile_IsPublished_ButFilesPresentAtStartAreNot()
    {
        using var folder = new TempFolder();
        var jpegs = TestJpegs.Frames;
        File.WriteAllBytes(folder.File("old.jpg"), jpegs[0]);

        await using var run = await StartAsync(new FolderSource(folder.Path, TimeSpan.Zero));
        File.WriteAllBytes(folder.File("new.jpg"), jpegs[1]);

        Assert.Equal(jpegs[1], await run.NextAsync());
        Assert.Equal(1, run.Hub.FramesPublished);
        Assert.Equal(InputState.Streaming, run.Context.State);
    }

    [Fact]
    public async Task AFileWrittenInTwoParts_IsPublishedOnlyWhenComplete()
    {
        using var folder = new TempFolder();
        var jpeg = TestJpegs.Frames[2];
        var logger = new ListLogger();

        await using var run = await StartAsync(new FolderSource(folder.Path, TimeSpan.Zero), logger: logger);
        using (var stream = new FileStream(folder.File("slow.jpg"), FileMode.CreateNew, FileAccess.Write))
        {
            stream.Write(jpeg, 0, jpeg.Length / 2);
            stream.Flush();
            await Task.Delay(300); // a slow writer: half a file sits in the folder for a while
            stream.Write(jpeg, jpeg.Length / 2, jpeg.Length - (jpeg.Length / 2));
        }

        Assert.Equal(jpeg, await run.NextAsync());
        Assert.Equal(1, run.Hub.FramesPublished);
        Assert.Empty(logger.Warnings);
    }

    [Fact]
    public async Task AFileRenamedIntoTheFolder_IsPublished()
    {
        using var folder = new TempFolder();
        var staged = Path.Join(folder.Staging, "frame.tmp");
        File.WriteAllBytes(staged, TestJpegs.Frames[3]);

        await using var run = await StartAsync(new FolderSource(folder.Path, TimeSpan.Zero));
        File.Move(staged, folder.File("frame.jpg"));

        Assert.Equal(TestJpegs.Frames[3], await run.NextAsync());
    }

    [Fact]
    public async Task NameFilter_IgnoresOtherFiles()
    {
        using var folder = new TempFolder();
        var jpegs = TestJpegs.Frames;

        await using var run = await StartAsync(new FolderSource(folder.Path, TimeSpan.Zero, fileName: "webcam.jpg"));
        File.WriteAllBytes(folder.File("other.jpg"), jpegs[0]);
        File.WriteAllBytes(folder.File("webcam.jpg.tmp"), jpegs[1]);

        // Nothing may come from those; a bounded wait is the only way to see "nothing".
        var next = run.NextAsync();
        await Task.WhenAny(next, Task.Delay(300));
        Assert.False(next.IsCompleted);

        File.WriteAllBytes(folder.File("webcam.jpg"), jpegs[2]);
        Assert.Equal(jpegs[2], await next);
        Assert.Equal(1, run.Hub.FramesPublished);
    }

    [Fact]
    public async Task BrokenFile_IsSkippedWithOneWarning_AndLaterFilesStillCome()
    {
        using var folder = new TempFolder();
        var jpegs = TestJpegs.Frames;
        var logger = new ListLogger();

        await using var run = await StartAsync(new FolderSource(folder.Path, TimeSpan.Zero), logger: logger);
        File.WriteAllBytes(folder.File("cut.jpg"), jpegs[0].AsSpan(0, 3000).ToArray());
        var warned = DateTime.UtcNow + SourceRun.Timeout;
        while (logger.Warnings.Count == 0 && DateTime.UtcNow < warned)
        {
            await Task.Delay(10);
        }

        File.WriteAllBytes(folder.File("good.jpg"), jpegs[1]);

        Assert.Equal(jpegs[1], await run.NextAsync());
        Assert.Equal(1, run.Hub.FramesPublished);
        Assert.Contains("cut.jpg", Assert.Single(logger.Warnings), StringComparison.Ordinal);
        await run.DisposeAsync();
        Assert.Equal(0, run.Pool.Outstanding);
    }

    [Fact]
    public async Task Remove_DeletesTheFileAfterPublishing()
    {
        using var folder = new TempFolder();
        var file = folder.File("shot.jpg");

        await using var run = await StartAsync(new FolderSource(folder.Path, TimeSpan.Zero, remove: true));
        File.WriteAllBytes(file, TestJpegs.Frames[4]);

        Assert.Equal(TestJpegs.Frames[4], await run.NextAsync());
        var deadline = DateTime.UtcNow + SourceRun.Timeout;
        while (File.Exists(file) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task DuringTheDelay_TheNewestFileWins()
    {
        using var folder = new TempFolder();
        var jpegs = TestJpegs.Frames;
        var time = new FakeTimeProvider();

        await using var run = await StartAsync(new FolderSource(folder.Path, TimeSpan.FromSeconds(1)), time);
        File.WriteAllBytes(folder.File("1.jpg"), jpegs[0]);
        Assert.Equal(jpegs[0], await run.NextAsync());

        File.WriteAllBytes(folder.File("2.jpg"), jpegs[1]);
        File.WriteAllBytes(folder.File("3.jpg"), jpegs[2]);
        File.WriteAllBytes(folder.File("4.jpg"), jpegs[3]);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(jpegs[3], await run.NextAsync());
        Assert.Equal(2, run.Hub.FramesPublished);
    }

    [Fact]
    public async Task DuringTheDelay_WithRemove_ReplacedFilesAreDeletedToo()
    {
        using var folder = new TempFolder();
        var jpegs = TestJpegs.Frames;
        var time = new FakeTimeProvider();

        await using var run = await StartAsync(new FolderSource(folder.Path, TimeSpan.FromSeconds(1), remove: true), time);
        File.WriteAllBytes(folder.File("1.jpg"), jpegs[0]);
        Assert.Equal(jpegs[0], await run.NextAsync());
        File.WriteAllBytes(folder.File("2.jpg"), jpegs[1]);
        File.WriteAllBytes(folder.File("3.jpg"), jpegs[2]);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(jpegs[2], await run.NextAsync());

        var deadline = DateTime.UtcNow + SourceRun.Timeout;
        while (Directory.GetFileSystemEntries(folder.Path).Length > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public async Task FolderGoneAndBack_IsNoSignalThenWatchedAgain()
    {
        using var folder = new TempFolder();
        var time = new FakeTimeProvider();

        await using var run = await StartAsync(new FolderSource(folder.Path, TimeSpan.Zero), time);
        Directory.Delete(folder.Path);
        await run.WaitForStateAsync(InputState.NoSignal, $"folder {folder.Path} went away");

        Directory.CreateDirectory(folder.Path);
        time.Advance(TimeSpan.FromSeconds(1));
        await run.WaitForStateAsync(InputState.Starting, "waiting for new files in");
        File.WriteAllBytes(folder.File("back.jpg"), TestJpegs.Frames[5]);

        Assert.Equal(TestJpegs.Frames[5], await run.NextAsync());
    }

    [Fact]
    public async Task Cancellation_EndsTheRunWhileWaitingForFiles()
    {
        using var folder = new TempFolder();

        var run = await StartAsync(new FolderSource(folder.Path, TimeSpan.FromSeconds(1)));
        await using (run)
        {
            await run.StopAsync();
        }

        Assert.True(run.Run.IsCompletedSuccessfully);
    }
}
