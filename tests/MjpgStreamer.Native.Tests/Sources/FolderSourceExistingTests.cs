using System.Text;
using Microsoft.Extensions.Time.Testing;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Sources;
using MjpgStreamer.Native.Tests.TestSupport;

namespace MjpgStreamer.Native.Tests.Sources;

/// <summary>-e: loop over the .jpg files that are in the folder at start. The clock is fake, so each frame comes only when the test lets the delay pass.</summary>
public sealed class FolderSourceExistingTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task LoopsOverTheJpgFiles_InOrdinalNameOrder()
    {
        using var folder = new TempFolder();
        var jpegs = TestJpegs.Frames;
        File.WriteAllBytes(folder.File("c.JPG"), jpegs[2]);
        File.WriteAllBytes(folder.File("a.jpg"), jpegs[0]);
        File.WriteAllBytes(folder.File("b.jpg"), jpegs[1]);
        File.WriteAllBytes(folder.File("d.jpg.bak"), jpegs[3]); // a substring test, as the original
        File.WriteAllBytes(folder.File("B.jpg"), jpegs[4]);
        File.WriteAllBytes(folder.File("e.png"), jpegs[5]);
        File.WriteAllText(folder.File("readme.txt"), "not a frame");
        Directory.CreateDirectory(folder.File("dir.jpg"));
        var time = new FakeTimeProvider();
        var logger = new ListLogger();
        byte[][] expected = [jpegs[4], jpegs[0], jpegs[1], jpegs[2], jpegs[3]];

        await using (var run = new SourceRun(new FolderSource(folder.Path, Delay, existing: true), time, logger))
        {
            for (var i = 0; i < 2 * expected.Length; i++)
            {
                Assert.Equal(expected[i % expected.Length], await run.NextAsync());
                time.Advance(Delay);
            }

            Assert.Equal(InputState.Streaming, run.Context.State);
            Assert.Empty(logger.Warnings);
            await run.DisposeAsync();
            Assert.Equal(0, run.Pool.Outstanding);
        }
    }

    [Fact]
    public async Task SkipsBrokenFiles_WithOneWarningEach_AndKeepsServingTheGoodOnes()
    {
        using var folder = new TempFolder();
        var jpegs = TestJpegs.Frames;
        File.WriteAllBytes(folder.File("a.jpg"), jpegs[0]);
        File.WriteAllBytes(folder.File("b.jpg"), Encoding.ASCII.GetBytes("this is not a JPEG at all, just text"));
        File.WriteAllBytes(folder.File("c.jpg"), jpegs[1].AsSpan(0, jpegs[1].Length / 2).ToArray());
        File.WriteAllBytes(folder.File("d.jpg"), jpegs[2]);
        File.WriteAllBytes(folder.File("e.jpg"), []);
        var time = new FakeTimeProvider();
        var logger = new ListLogger();

        var run = new SourceRun(new FolderSource(folder.Path, Delay, existing: true), time, logger);
        await using (run)
        {
            for (var i = 0; i < 6; i++)
            {
                Assert.Equal(i % 2 == 0 ? jpegs[0] : jpegs[2], await run.NextAsync());
                time.Advance(Delay);
            }
        }

        var warnings = logger.Warnings;
        Assert.Equal(3, warnings.Count);
        Assert.Single(warnings, w => w.Contains("b.jpg", StringComparison.Ordinal));
        Assert.Single(warnings, w => w.Contains("c.jpg", StringComparison.Ordinal));
        Assert.Single(warnings, w => w.Contains("e.jpg", StringComparison.Ordinal));
        Assert.Equal(0, run.Pool.Outstanding);
    }

    [Fact]
    public async Task EmptyFolder_IsNoSignal_UntilAJpgAppears()
    {
        using var folder = new TempFolder();
        var time = new FakeTimeProvider();

        await using var run = new SourceRun(new FolderSource(folder.Path, Delay, existing: true), time, new ListLogger());
        await run.WaitForStateAsync(InputState.NoSignal, $"no .jpg files in {folder.Path}");

        File.WriteAllBytes(folder.File("late.jpg"), TestJpegs.Frames[3]);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(TestJpegs.Frames[3], await run.NextAsync());
        Assert.Equal(InputState.Streaming, run.Context.State);
    }

    [Fact]
    public async Task OnlyBrokenFiles_IsNoSignal()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("broken.jpg"), [0xFF, 0xD8, 0xFF, 0xE0, 0x00]);
        var logger = new ListLogger();

        await using var run = new SourceRun(new FolderSource(folder.Path, Delay, existing: true), new FakeTimeProvider(), logger);

        await run.WaitForStateAsync(InputState.NoSignal, $"no readable .jpg files in {folder.Path}");
        Assert.Single(logger.Warnings);
    }

    [Fact]
    public async Task Remove_DeletesEachFileAfterReadingIt()
    {
        using var folder = new TempFolder();
        var jpegs = TestJpegs.Frames;
        File.WriteAllBytes(folder.File("1.jpg"), jpegs[0]);
        File.WriteAllBytes(folder.File("2.jpg"), jpegs[1]);
        File.WriteAllBytes(folder.File("3.jpg"), jpegs[2]);
        var time = new FakeTimeProvider();

        await using var run = new SourceRun(new FolderSource(folder.Path, Delay, remove: true, existing: true), time, new ListLogger());
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(jpegs[i], await run.NextAsync());
            time.Advance(Delay);
        }

        // Everything was shown once and deleted: the folder is empty and the input says so.
        await run.WaitForStateAsync(InputState.NoSignal, "no .jpg files in");
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public async Task ZeroDelay_ServesFramesWithoutWaiting()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("a.jpg"), TestJpegs.Frames[0]);
        File.WriteAllBytes(folder.File("b.jpg"), TestJpegs.Frames[1]);

        // The clock never moves: frames only keep coming if -d 0 really means no wait.
        await using var run = new SourceRun(new FolderSource(folder.Path, TimeSpan.Zero, existing: true), new FakeTimeProvider(), new ListLogger());
        var seen = new HashSet<string>();
        for (var i = 0; i < 20; i++)
        {
            seen.Add(Convert.ToHexString(await run.NextAsync()));
        }

        Assert.Equal(2, seen.Count);
    }

    [Fact]
    public async Task Cancellation_EndsTheRunDuringALongDelay()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("a.jpg"), TestJpegs.Frames[0]);

        var run = new SourceRun(new FolderSource(folder.Path, TimeSpan.FromHours(1), existing: true), TimeProvider.System, new ListLogger());
        await using (run)
        {
            await run.NextAsync();
            await run.StopAsync();
        }

        Assert.True(run.Run.IsCompletedSuccessfully);
    }
}
