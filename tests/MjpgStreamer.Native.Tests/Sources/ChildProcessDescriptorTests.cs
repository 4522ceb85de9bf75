using MjpgStreamer.Native.Sources;
using MjpgStreamer.Native.Tests.TestSupport;

namespace MjpgStreamer.Native.Tests.Sources;

/// <summary>
/// Pipes of this process before and after many children: each child's stdout and stderr must be closed when it
/// ends. Alone (no other test starts processes meanwhile); a few pipes of the runtime's own may come and go.
/// </summary>
[Collection(nameof(DescriptorCounting))]
public sealed class ChildProcessDescriptorTests
{
    [Fact]
    public async Task RestartedChildren_LeaveNoPipesOpen()
    {
        var source = new ExecSource(["sh", "-c", "echo not a frame; echo something >&2"])
        {
            InitialBackoff = TimeSpan.FromMilliseconds(1),
            MaxBackoff = TimeSpan.FromMilliseconds(1),
            ExitGrace = TimeSpan.FromMilliseconds(100),
        };
        using var cancellation = new CancellationTokenSource();
        var context = new Core.Streaming.SourceContext(0, new Core.Streaming.LatestFrameHub(TimeProvider.System), new Core.Frames.FramePool(), new ListLogger());
        var run = source.RunAsync(context, cancellation.Token);

        // The first runs may make the runtime open pipes of its own (once).
        await ChildProcessTests.WaitUntil(() => source.Starts >= 3);
        var before = CountPipes();

        // No garbage collection meanwhile: a pipe left to a finalizer would be closed by chance, not by the code.
        var noGc = GC.TryStartNoGCRegion(200L * 1024 * 1024);
        int after;
        try
        {
            await ChildProcessTests.WaitUntil(() => source.Starts >= 33);
            await cancellation.CancelAsync();
            await run.WaitAsync(TimeSpan.FromSeconds(20));
            after = CountPipes();
        }
        finally
        {
            if (noGc && System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion)
            {
                GC.EndNoGCRegion();
            }
        }

        // A leak of one pipe per run would be 30 more.
        Assert.True(after <= before + 2, $"{before} pipes after 3 runs, {after} after {source.Starts}");
    }

    private static int CountPipes() =>
        new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos().Count(entry =>
        {
            try
            {
                return entry.LinkTarget?.StartsWith("pipe:", StringComparison.Ordinal) == true;
            }
            catch (IOException)
            {
                // Closed between listing and reading.
                return false;
            }
        });
}
