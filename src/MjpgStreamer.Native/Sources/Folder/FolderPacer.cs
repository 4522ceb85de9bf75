using System.Runtime.InteropServices;
using MjpgStreamer.Native.Interop;

namespace MjpgStreamer.Native.Sources.Folder;

/// <summary>
/// The time side of an input_file.so run, owned by its thread: the frame schedule (-d) and the one place
/// the thread sleeps. An eventfd, signalled by cancellation and by a TimeProvider timer, is polled together
/// with the inotify descriptor, so a sleep ends at the deadline, on new files, or on stop.
/// </summary>
internal sealed class FolderPacer : IDisposable
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time;
    private readonly CancellationToken _cancellation;
    private readonly Inotify.FdHandle _wake;
    private readonly ITimer _timer;
    private readonly CancellationTokenRegistration _registration;
    private readonly long _delayTicks;

    /// <exception cref="IOException">No eventfd could be created.</exception>
    public FolderPacer(TimeProvider time, TimeSpan delay, CancellationToken cancellation)
    {
        _time = time;
        _cancellation = cancellation;
        _delayTicks = (long)(delay.TotalSeconds * time.TimestampFrequency);
        RetryTicks = (long)(RetryInterval.TotalSeconds * time.TimestampFrequency);
        _wake = Inotify.CreateEventFd(out var errno);
        if (_wake.IsInvalid)
        {
            _wake.Dispose();
            throw new IOException($"eventfd failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        // Both the pacing timer and cancellation wake the thread through the eventfd it polls.
        _timer = time.CreateTimer(static state => Inotify.Signal((Inotify.FdHandle)state!), _wake, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _registration = cancellation.UnsafeRegister(static state => Inotify.Signal((Inotify.FdHandle)state!), _wake);
    }

    public bool Cancelled => _cancellation.IsCancellationRequested;

    /// <summary>How long (in TimeProvider timestamp ticks) to wait before trying a missing or unreadable folder again.</summary>
    public long RetryTicks { get; }

    public long Now => _time.GetTimestamp();

    /// <summary>
    /// Frames are due at fixed steps (previous due + delay), so the time spent reading does not slow the
    /// rate down; after a stall of more than one frame the schedule restarts from now instead of bursting.
    /// </summary>
    public long NextDue(long due, long now)
    {
        if (now - due > _delayTicks)
        {
            due = now;
        }

        return due + _delayTicks;
    }

    /// <summary>
    /// Sleeps until <paramref name="deadline"/> (TimeProvider timestamp; long.MaxValue: none), until the
    /// inotify descriptor has events, or until cancellation, whichever comes first.
    /// </summary>
    public void WaitUntil(long deadline, Inotify.FdHandle? inotify)
    {
        if (Cancelled)
        {
            return;
        }

        var timeout = -1;
        var armed = false;
        if (deadline != long.MaxValue)
        {
            var remaining = deadline - _time.GetTimestamp();
            if (remaining <= 0)
            {
                return;
            }

            // Whole milliseconds, rounded up, so the wait never ends before the deadline.
            var milliseconds = (remaining * 1000 + _time.TimestampFrequency - 1) / _time.TimestampFrequency;
            if (_time == TimeProvider.System)
            {
                // The real clock: poll's own timeout, without a hop through a thread-pool timer.
                timeout = (int)Math.Min(milliseconds, int.MaxValue);
            }
            else
            {
                _timer.Change(TimeSpan.FromMilliseconds(milliseconds), Timeout.InfiniteTimeSpan);
                armed = true;

                // The clock may have passed the deadline between reading it and arming the timer (a test's
                // FakeTimeProvider.Advance); the timer would then wait a whole extra period.
                if (_time.GetTimestamp() >= deadline)
                {
                    _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    return;
                }
            }
        }

        Inotify.WaitReadable(inotify, _wake, timeout, out _, out var woken);
        if (woken)
        {
            Inotify.Drain(_wake);
        }

        if (armed)
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        // The registration first: its Dispose waits for a running callback, so nothing signals a closed fd.
        _registration.Dispose();
        _timer.Dispose();
        _wake.Dispose();
    }
}
