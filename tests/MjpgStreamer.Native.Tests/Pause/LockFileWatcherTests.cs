using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MjpgStreamer.Core.Pause;
using MjpgStreamer.Native.Interop;
using MjpgStreamer.Native.Pause;
using MjpgStreamer.Native.Tests.TestSupport;

namespace MjpgStreamer.Native.Tests.Pause;

/// <summary>
/// The real inotify watch of the lock file's folder, in a temp folder, behind a real <see cref="PauseCoordinator"/>.
/// The watcher's once-a-second retry runs on a fake clock that only the test advances: whatever happens while the
/// clock stands still was seen through inotify.
/// </summary>
public sealed class LockFileWatcherTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("mjpg-pausewatch-");
    private readonly FakeTimeProvider _clock = new();
    private readonly ListLogger _logger = new();
    private LockFileWatcher? _watcher;
    private int _looks;

    private string Folder => Path.Join(_root.FullName, "run");

    private string LockFile => Path.Join(Folder, "paused.lock");

    private LockFileWatcher Watcher => _watcher ?? throw new InvalidOperationException("not started");

    private int Looks => Volatile.Read(ref _looks);

    public void Dispose()
    {
        _watcher?.Dispose();
        _root.Delete(recursive: true);
    }

    private PauseCoordinator StartCoordinator(bool createFolder = true)
    {
        if (createFolder)
        {
            Directory.CreateDirectory(Folder);
        }

        var coordinator = new PauseCoordinator([], LockFile, TimeSpan.FromMinutes(10), _clock, NullLogger.Instance)
        {
            Watch = (lockFile, lookAgain) => _watcher = new LockFileWatcher(
                lockFile,
                () =>
                {
                    lookAgain();
                    Interlocked.Increment(ref _looks);
                },
                _clock,
                _logger),
        };
        coordinator.Start();
        return coordinator;
    }

    /// <summary>Moves the fake clock a second at a time until the condition holds (the retry timer may be armed after any step).</summary>
    private async Task AdvanceUntilAsync(Func<bool> condition, string what) =>
        await Eventually.UntilAsync(
            () =>
            {
                if (condition())
                {
                    return true;
                }

                _clock.Advance(LockFilePoller.Interval);
                return false;
            },
            () => what);

    private static int WatchThreads() =>
        Directory.GetDirectories("/proc/self/task").Count(task => ThreadName(task) == "pause_watch");

    /// <summary>A thread's name, or null when it ended between the listing and the read.</summary>
    private static string? ThreadName(string task)
    {
        try
        {
            return File.ReadAllText(Path.Join(task, "comm")).Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    [Fact]
    public async Task Creating_the_file_pauses_and_deleting_it_resumes_while_the_clock_stands_still()
    {
        using var coordinator = StartCoordinator();
        Assert.True(Watcher.IsWatching);

        File.WriteAllText(LockFile, "");
        await Eventually.UntilAsync(() => coordinator.Status.Paused, () => "the new lock file paused");
        File.Delete(LockFile);
        await Eventually.UntilAsync(() => !coordinator.Status.Paused, () => "the deletion resumed");
        File.WriteAllText(LockFile, "");
        await Eventually.UntilAsync(() => coordinator.Status.Paused, () => "the lock file paused again");
    }

    [Fact]
    public async Task A_file_written_under_another_name_and_renamed_into_place_pauses_and_moved_away_resumes()
    {
        using var coordinator = StartCoordinator();
        var temporary = LockFile + ".tmp";
        File.WriteAllText(temporary, "written first");
        File.Move(temporary, LockFile);
        await Eventually.UntilAsync(() => coordinator.Status.Paused, () => "the renamed file paused");

        var elsewhere = Directory.CreateDirectory(Path.Join(_root.FullName, "elsewhere")).FullName;
        File.Move(LockFile, Path.Join(elsewhere, "paused.lock"));
        await Eventually.UntilAsync(() => !coordinator.Status.Paused, () => "moving it out resumed");

        File.Move(Path.Join(elsewhere, "paused.lock"), LockFile);
        await Eventually.UntilAsync(() => coordinator.Status.Paused, () => "moving it in from another folder paused");
    }

    [Fact]
    public async Task A_file_created_and_deleted_at_once_is_looked_at_and_leaves_no_pause()
    {
        using var coordinator = StartCoordinator();
        Assert.Equal(0, Looks);

        File.WriteAllText(LockFile, "");
        File.Delete(LockFile);

        // Level-triggered: however the two events are read (together or apart), the last look finds no file.
        await Eventually.UntilAsync(() => Looks >= 1 && !coordinator.Status.Paused, () => $"a look after the create and delete ({Looks} looks, paused: {coordinator.Status.Paused})");
    }

    [Fact]
    public async Task A_folder_created_later_is_looked_for_once_a_second_and_then_watched()
    {
        using var coordinator = StartCoordinator(createFolder: false);
        Assert.False(Watcher.IsWatching);
        Assert.Contains(_logger.Entries, e => e.Message.Contains($"cannot watch the folder {Folder} (it does not exist)", StringComparison.Ordinal));

        // The folder and the file come before the next retry: the look that follows the new watch finds the file.
        Directory.CreateDirectory(Folder);
        File.WriteAllText(LockFile, "");
        Assert.False(Watcher.IsWatching);
        await AdvanceUntilAsync(() => Watcher.IsWatching && coordinator.Status.Paused, "the folder is watched and the file found");
        Assert.Contains(_logger.Entries, e => e.Message.Contains($"watching the folder {Folder} again", StringComparison.Ordinal));

        // From now on inotify: the clock stands still.
        File.Delete(LockFile);
        await Eventually.UntilAsync(() => !coordinator.Status.Paused, () => "the deletion resumed");
        File.WriteAllText(LockFile, "");
        await Eventually.UntilAsync(() => coordinator.Status.Paused, () => "the creation paused");
    }

    [Fact]
    public async Task A_folder_removed_and_created_again_is_watched_again()
    {
        using var coordinator = StartCoordinator();
        File.WriteAllText(LockFile, "");
        await Eventually.UntilAsync(() => coordinator.Status.Paused, () => "the lock file paused");

        Directory.Delete(Folder, recursive: true);
        await Eventually.UntilAsync(() => !coordinator.Status.Paused && !Watcher.IsWatching, () => $"the removal resumed and dropped the watch (watching: {Watcher.IsWatching})");

        Directory.CreateDirectory(Folder);
        await AdvanceUntilAsync(() => Watcher.IsWatching, "the new folder is watched");
        File.WriteAllText(LockFile, "");
        await Eventually.UntilAsync(() => coordinator.Status.Paused, () => "a lock file in the new folder paused");
    }

    [Fact]
    public async Task A_folder_moved_away_is_not_followed_and_its_path_is_watched_again()
    {
        using var coordinator = StartCoordinator();
        File.WriteAllText(LockFile, "");
        await Eventually.UntilAsync(() => coordinator.Status.Paused, () => "the lock file paused");

        var moved = Folder + ".old";
        Directory.Move(Folder, moved);
        await Eventually.UntilAsync(() => !coordinator.Status.Paused && !Watcher.IsWatching, () => "the move resumed and dropped the watch");

        Directory.Move(moved, Folder);
        await AdvanceUntilAsync(() => Watcher.IsWatching && coordinator.Status.Paused, "the folder is back with its file");
    }

    [Fact]
    public void Without_inotify_the_file_is_looked_at_once_a_second_and_that_is_logged_once()
    {
        Directory.CreateDirectory(Folder);
        var looks = 0;
        const int tooManyOpenFiles = 24;
        using var watcher = new LockFileWatcher(LockFile, () => looks++, _clock, _logger, () => (new Inotify.FdHandle(), tooManyOpenFiles));
        Assert.Equal((true, false), (watcher.IsPollingOnly, watcher.IsWatching));
        Assert.Contains($"inotify is not available (Too many open files); looking at {LockFile} once a second", Assert.Single(_logger.Warnings), StringComparison.Ordinal);

        _clock.Advance(LockFilePoller.Interval - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, looks);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, looks);
        _clock.Advance(3 * LockFilePoller.Interval);
        Assert.Equal(4, looks);

        watcher.Dispose();
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(4, looks);
        Assert.Single(_logger.Warnings);
    }

    [Fact]
    public void One_thread_waits_on_the_watch_and_disposing_ends_it()
    {
        Directory.CreateDirectory(Folder);
        var before = WatchThreads();
        var watcher = new LockFileWatcher(LockFile, () => { }, _clock, _logger);
        Assert.Equal(before + 1, WatchThreads());
        watcher.Dispose();
        Assert.Equal(before, WatchThreads());
    }
}
