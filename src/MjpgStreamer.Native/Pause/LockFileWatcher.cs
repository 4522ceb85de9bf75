using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Diagnostics;
using MjpgStreamer.Core.Pause;
using MjpgStreamer.Native.Interop;

namespace MjpgStreamer.Native.Pause;

/// <summary>
/// The executable's <see cref="LockFileWatch"/>: an inotify watch of the lock file's folder, so that the process
/// sleeps (one thread blocked in poll(2)) until a name in that folder is created, deleted, moved or changes its
/// attributes. Only events for the lock file's name, the folder itself and a queue overflow ask for a look; the
/// look decides from a stat. While the folder cannot be watched (it does not exist yet, was removed or moved, or
/// the watch limit is reached) the file is looked at once a second and the watch tried again; without inotify at
/// all (inotify_init1 fails) it is only looked at once a second (<see cref="LockFilePoller"/>), which is logged once.
/// </summary>
public sealed partial class LockFileWatcher : IDisposable
{
    // Existence changes only through a name appearing or going (created, deleted, moved in or out); attributes
    // decide what a stat may see (a folder made unsearchable). The rest is about the folder itself.
    private const uint FolderMask = Inotify.Created | Inotify.Deleted | Inotify.MovedFrom | Inotify.MovedTo | Inotify.Attrib
        | Inotify.DeleteSelf | Inotify.MoveSelf;

    private readonly string _folder;
    private readonly byte[] _name;
    private readonly Action _lookAgain;
    private readonly ILogger _logger;
    private readonly Inotify.FdHandle? _inotify;
    private readonly Inotify.FdHandle? _wake;
    private readonly ITimer? _retry;
    private readonly IDisposable? _poller;
    private readonly Thread? _thread;

    // Touched by the constructor before the thread starts, then only by the thread.
    private int _wd = -1;
    private bool _unwatched;
    private bool _broken;

    private volatile bool _watching;
    private int _stopping;

    public LockFileWatcher(string lockFile, Action lookAgain, TimeProvider time, ILogger logger)
        : this(lockFile, lookAgain, time, logger, () => (Inotify.Create(out var errno), errno))
    {
    }

    /// <summary>As the public one; <paramref name="createInotify"/> lets a test stand for a failing inotify_init1.</summary>
    internal LockFileWatcher(string lockFile, Action lookAgain, TimeProvider time, ILogger logger, Func<(Inotify.FdHandle Handle, int Errno)> createInotify)
    {
        var full = Path.GetFullPath(lockFile);
        _folder = Path.GetDirectoryName(full) ?? "/";
        _name = Encoding.UTF8.GetBytes(Path.GetFileName(full));
        _lookAgain = lookAgain;
        _logger = logger;

        var (inotify, errno) = createInotify();
        Inotify.FdHandle? wake = null;
        if (!inotify.IsInvalid)
        {
            wake = Inotify.CreateEventFd(out errno);
        }

        if (inotify.IsInvalid || wake is null || wake.IsInvalid)
        {
            inotify.Dispose();
            wake?.Dispose();
            LogInotifyUnavailable(_logger, Marshal.GetPInvokeErrorMessage(errno), full);
            _poller = LockFilePoller.Start(lookAgain, time);
            return;
        }

        _inotify = inotify;
        _wake = wake;
        _retry = time.CreateTimer(static state => Inotify.Signal((Inotify.FdHandle)state!), wake, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        TryWatch();
        _thread = new Thread(Run) { Name = "pause_watch", IsBackground = true };
        _thread.Start();
    }

    /// <summary>A <see cref="LockFileWatch"/> that starts one of these.</summary>
    public static LockFileWatch For(TimeProvider time, ILogger logger) =>
        (lockFile, lookAgain) => new LockFileWatcher(lockFile, lookAgain, time, logger);

    /// <summary>True while an inotify watch is on the folder (false while it is looked at once a second).</summary>
    internal bool IsWatching => _watching;

    /// <summary>True when inotify is not available at all and only the once-a-second look runs.</summary>
    internal bool IsPollingOnly => _poller is not null;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _stopping, 1) != 0)
        {
            return;
        }

        _poller?.Dispose();
        _retry?.Dispose();
        if (_wake is not null)
        {
            Inotify.Signal(_wake);
        }

        // Bounded: the thread only ever waits in poll(2) or in a look; after this no look starts.
        if (_thread is not null && _thread != Thread.CurrentThread)
        {
            _thread.Join(TimeSpan.FromSeconds(10));
        }

        _inotify?.Dispose();
        _wake?.Dispose();
    }

    private void Run()
    {
        var buffer = new byte[4096];
        while (true)
        {
            Inotify.WaitReadable(_wd >= 0 ? _inotify : null, _wake, -1, out var readable, out var woken);
            if (woken)
            {
                Inotify.Drain(_wake!);
            }

            if (Volatile.Read(ref _stopping) != 0)
            {
                return;
            }

            var look = false;
            if (readable && _wd >= 0 && !DrainEvents(buffer, ref look))
            {
                _wd = -1;
                _watching = false;
            }

            if (_wd < 0)
            {
                // The retry timer's tick, or the watch just went with its folder: try to watch again, and look
                // either way (the folder may be back with the file in it, or the file went with it).
                TryWatch();
                look = true;
            }

            if (look)
            {
                _lookAgain();
            }
        }
    }

    /// <summary>Puts the watch on the folder; while that fails, the retry timer wakes the thread once a second.</summary>
    private void TryWatch()
    {
        var errno = 0;
        var wd = _broken ? -1 : Inotify.AddWatch(_inotify!, _folder, FolderMask, out errno);
        if (wd >= 0)
        {
            _wd = wd;
            _watching = true;
            _retry!.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            if (_unwatched)
            {
                _unwatched = false;
                LogFolderWatched(_logger, _folder);
            }

            return;
        }

        if (!_unwatched)
        {
            _unwatched = true;
            _retry!.Change(LockFilePoller.Interval, LockFilePoller.Interval);
            var problem = _broken ? "reading inotify failed"
                : errno is 2 or 20 ? "it does not exist"
                : Marshal.GetPInvokeErrorMessage(errno);
            LogFolderUnwatched(_logger, _folder, problem);
        }
    }

    /// <summary>
    /// Reads every queued event; <paramref name="look"/> becomes true when one may concern the lock file. False
    /// when the watch is gone (the folder deleted, moved or unmounted, or reading failed).
    /// </summary>
    private bool DrainEvents(byte[] buffer, ref bool look)
    {
        var gone = false;
        while (true)
        {
            var count = Inotify.ReadEvents(_inotify!, buffer, out _);
            if (count < 0)
            {
                // Should not happen: the once-a-second look takes over for good rather than spin on a broken descriptor.
                _broken = true;
                Inotify.RemoveWatch(_inotify!, _wd);
                return false;
            }

            if (count == 0)
            {
                return !gone;
            }

            var offset = 0;
            var events = buffer.AsSpan(0, count);
            while (Inotify.TryReadEvent(events, ref offset, out var ev))
            {
                if ((ev.Mask & Inotify.QueueOverflow) != 0)
                {
                    // Events were dropped: whatever they were, a look answers them.
                    look = true;
                    continue;
                }

                if (ev.Wd != _wd || gone)
                {
                    continue;
                }

                if ((ev.Mask & Inotify.WatchGone) != 0)
                {
                    // After a move the watch would follow the folder to its new name: drop it and watch the path again.
                    Inotify.RemoveWatch(_inotify!, _wd);
                    gone = true;
                    continue;
                }

                if (ev.Name.Length == 0 || ev.Name.SequenceEqual(_name))
                {
                    look = true;
                }
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.PauseWatchInotifyUnavailable, Level = LogLevel.Warning, Message = "pause: inotify is not available ({Problem}); looking at {Path} once a second")]
    private static partial void LogInotifyUnavailable(ILogger logger, string problem, string path);

    [LoggerMessage(EventId = LogEvents.PauseWatchFolderUnwatched, Level = LogLevel.Information, Message = "pause: cannot watch the folder {Folder} ({Problem}); looking once a second until it can")]
    private static partial void LogFolderUnwatched(ILogger logger, string folder, string problem);

    [LoggerMessage(EventId = LogEvents.PauseWatchFolderWatched, Level = LogLevel.Information, Message = "pause: watching the folder {Folder} again")]
    private static partial void LogFolderWatched(ILogger logger, string folder);
}
