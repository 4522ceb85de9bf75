using MjpgStreamer.Native.Sources;
using MjpgStreamer.Native.Tests.TestSupport;

namespace MjpgStreamer.Native.Tests.Sources;

[CollectionDefinition(nameof(DescriptorCounting), DisableParallelization = true)]
public sealed class DescriptorCounting;

/// <summary>
/// Counts this process's descriptors of the kinds a folder source opens (inotify, eventfd, files in
/// its folder). The total count is not compared: the runtime and the test host open and close
/// their own descriptors (sockets, pipes, timers) at any moment.
/// </summary>
[Collection(nameof(DescriptorCounting))]
public sealed class FolderSourceDescriptorTests
{
    private static (int InFolder, int Inotify, int EventFd) CountDescriptors(string folder)
    {
        int inFolder = 0, inotify = 0, eventFd = 0;
        foreach (var entry in new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos())
        {
            var target = entry.LinkTarget ?? "";
            if (target.StartsWith(folder, StringComparison.Ordinal))
            {
                inFolder++;
            }
            else if (target.Contains("inotify", StringComparison.Ordinal))
            {
                inotify++;
            }
            else if (target.Contains("eventfd", StringComparison.Ordinal))
            {
                eventFd++;
            }
        }

        return (inFolder, inotify, eventFd);
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
                Assert.True(CountDescriptors(folder).Inotify > 0);
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
        var before = CountDescriptors(folder.Path);

        for (var i = 0; i < 3; i++)
        {
            await RunOnceAsync(folder.Path, existing: false);
            await RunOnceAsync(folder.Path, existing: true);
        }

        var after = CountDescriptors(folder.Path);
        Assert.Equal(before, after);
    }
}
