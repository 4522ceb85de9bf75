using MjpgStreamer.Core.Sources;
using MjpgStreamer.Native.Interop;

namespace MjpgStreamer.Native.Sources.Uvc;

/// <summary>
/// Hands ?action=command requests to the camera's one thread, so that every ioctl on the device comes from
/// that thread, between two frames: a request queues its command, wakes the thread through its eventfd and
/// awaits the answer (at most <see cref="Timeout"/>); it never blocks. While no camera thread runs (before
/// the first run, while paused or released) a command is executed at once on the caller, under the lock
/// that the thread takes to start and stop, so it cannot slip between the thread's last look at the queue
/// and its end, nor between its start and its first reading of the remembered settings.
/// </summary>
internal sealed class DeviceCommandQueue
{
    /// <summary>How long a request waits for its answer before it says -1.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    private readonly Lock _gate = new();
    private readonly Queue<DeviceCommand> _pending = new();

    // The camera thread's wake-up eventfd; null while no camera thread runs.
    private Inotify.FdHandle? _wake;

    public bool IsAttached
    {
        get
        {
            lock (_gate)
            {
                return _wake is not null;
            }
        }
    }

    /// <summary>Called by the camera thread when it starts: from now on commands wait for it.</summary>
    public void Attach(Inotify.FdHandle wake)
    {
        lock (_gate)
        {
            _wake = wake;
        }
    }

    /// <summary>
    /// Called by the camera thread when it ends (the device is closed by then): what is still queued is
    /// executed now, by <paramref name="executeDetached"/>, and later commands on their caller.
    /// </summary>
    public void Detach(Action<DeviceCommand> executeDetached)
    {
        ArgumentNullException.ThrowIfNull(executeDetached);
        lock (_gate)
        {
            _wake = null;
            while (_pending.TryDequeue(out var command))
            {
                if (!command.IsDone)
                {
                    executeDetached(command);
                }
            }
        }
    }

    /// <summary>Wakes the camera thread (a still is asked for); false when none runs.</summary>
    public bool Wake()
    {
        lock (_gate)
        {
            if (_wake is not { } wake)
            {
                return false;
            }

            Inotify.Signal(wake);
            return true;
        }
    }

    /// <summary>The camera thread takes the next command that its request still waits for.</summary>
    public bool TryTake(out DeviceCommand command)
    {
        lock (_gate)
        {
            while (_pending.TryDequeue(out command!))
            {
                if (!command.IsDone)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// Queues the command for the camera thread, or runs <paramref name="executeDetached"/> at once when none
    /// runs, and gives its answer: -1 when none came within <see cref="Timeout"/>. Cancellation throws.
    /// </summary>
    public ValueTask<int> SubmitAsync(CommandRequest request, Action<DeviceCommand> executeDetached, TimeProvider time, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(executeDetached);
        ArgumentNullException.ThrowIfNull(time);
        var command = new DeviceCommand(request);
        lock (_gate)
        {
            if (_wake is { } wake)
            {
                _pending.Enqueue(command);
                Inotify.Signal(wake);
            }
            else
            {
                executeDetached(command);
            }
        }

        return command.Answer.IsCompletedSuccessfully ? ValueTask.FromResult(command.Answer.Result) : WaitAsync(command, time, cancellation);
    }

    private static async ValueTask<int> WaitAsync(DeviceCommand command, TimeProvider time, CancellationToken cancellation)
    {
        try
        {
            return await command.Answer.WaitAsync(Timeout, time, cancellation).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Marks it given up on, so the thread skips it if it has not taken it yet; an answer that won the
            // race counts.
            command.Complete(-1);
            return await command.Answer.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            command.Cancel(cancellation);
            throw;
        }
    }
}
