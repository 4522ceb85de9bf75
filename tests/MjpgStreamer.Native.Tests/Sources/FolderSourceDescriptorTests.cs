using MjpgStreamer.Native.Sources;
using MjpgStreamer.Native.Tests.TestSupport;

namespace MjpgStreamer.Native.Tests.Sources;

[CollectionDefinition(nameof(DescriptorCounting), DisableParallelization = true)]
public sealed class DescriptorCounting;

/// <summary>Counts this process's open descriptors, so it runs alone.</summary>
[Collection(nameof(DescriptorCounting))]
public sealed class FolderSourceDescriptorTests
{
    private static (int All, int Inotify, int EventFd) CountDescriptors()
    {
        int all = 0, inotify = 0, eventFd = 0;
        foreach (var entry in new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos())
        {
            all++;
            var target = entry.LinkTarget ?? "";
            if (target.Contains("inotify", StringComparison.Ordinal))
            {
                inotify++;
            }
            else if (target.Contains("eventfd", StringComparison.Ordinal))
            {
                eventFd++;
            }
        }

        return (all, inotify, eventFd);
    }

    private static async Task RunOnceAsync(string folder, bool existing)
    {
        var run = new SourceRun(new FolderSource(folder, TimeSpan.FromSeconds(10), existing: existing), TimeProvider.System, new ListLogger());
        await using (run)
        {
            if (existing)
            {
                await run.NextAsync();
            }
            else
            {
                await run.WaitForStateAsync(Core.Streaming.InputState.Starting, "waiting for new files in");
                Assert.True(CountDescriptors().Inotify > 0);
            }

            await run.StopAsync();
        }
    }

    [Fact]
    public async Task StoppedRuns_CloseTheirInotifyAndEventDescriptors()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("a.jpg"), TestJpegs.Frames[0]);

        // A first round warms up whatever the runtime opens lazily (thread pool, timers).
        await RunOnceAsync(folder.Path, existing: false);
        await RunOnceAsync(folder.Path, existing: true);
        var before = CountDescriptors();

        for (var i = 0; i < 3; i++)
        {
            await RunOnceAsync(folder.Path, existing: false);
            await RunOnceAsync(folder.Path, existing: true);
        }

        var after = CountDescriptors();
        Assert.Equal(before, after);
    }
}
