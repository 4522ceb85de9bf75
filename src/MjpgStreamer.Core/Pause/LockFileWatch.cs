namespace MjpgStreamer.Core.Pause;

/// <summary>
/// Starts watching a lock file: <paramref name="lookAgain"/> is called (from any thread, one call at a time)
/// whenever the file may have appeared or gone, and once the watch is in place. It only says when to look:
/// whether the file exists is decided by the look itself, so an event that is merged or lost costs nothing.
/// Disposing the result stops the calls. Core's <see cref="LockFilePoller"/> looks once a second; the
/// executable passes an inotify watch of the file's folder (<c>MjpgStreamer.Native.Pause.LockFileWatcher</c>).
/// </summary>
public delegate IDisposable LockFileWatch(string lockFile, Action lookAgain);

/// <summary>The lock file watch without inotify: a look once a second on the <see cref="TimeProvider"/>.</summary>
public static class LockFilePoller
{
    /// <summary>How often the file is looked at (the project's rule for timers that run while idle).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Calls <paramref name="lookAgain"/> every <see cref="Interval"/> until disposed.</summary>
    public static IDisposable Start(Action lookAgain, TimeProvider time) =>
        time.CreateTimer(static state => ((Action)state!)(), lookAgain, Interval, Interval);

    /// <summary>This poller as a <see cref="LockFileWatch"/>.</summary>
    public static LockFileWatch For(TimeProvider time) => (_, lookAgain) => Start(lookAgain, time);
}
