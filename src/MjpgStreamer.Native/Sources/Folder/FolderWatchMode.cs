using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Interop;

namespace MjpgStreamer.Native.Sources.Folder;

/// <summary>
/// input_file.so's default mode: shows the files written into the folder (inotify: closed after writing,
/// or moved in), optionally only those named by -n. Of several files that arrive within one -d delay only
/// the newest is shown (with -r the others are deleted unread). A folder that is missing or goes away
/// (deleted, moved, unmounted) is watched again once it is back.
/// </summary>
internal sealed class FolderWatchMode(string folder, string? fileName, bool remove, SourceContext context, FolderPacer pacer, FolderFileHandler files)
{
    private const uint WatchMask = Inotify.CloseWrite | Inotify.MovedTo | Inotify.MoveSelf | Inotify.DeleteSelf;

    private readonly ILogger _logger = context.Logger;
    private readonly string? _fileNamePath = fileName is null ? null : Path.Join(folder, fileName);
    private readonly byte[]? _fileNameUtf8 = fileName is null ? null : Encoding.UTF8.GetBytes(fileName);

    // The newest matching file name seen and not handled yet (bytes as the kernel gave them).
    private readonly byte[] _pendingName = new byte[256];
    private int _pendingLength = -1;
    private bool _overflowLogged;

    /// <summary>Runs until cancellation; the inotify descriptor is closed on the way out.</summary>
    public void Run()
    {
        Inotify.FdHandle? inotify = null;
        var wd = -1;
        long retryAt = 0;
        long due = 0;
        var buffer = new byte[16 * 1024];
        try
        {
            while (!pacer.Cancelled)
            {
                var now = pacer.Now;
                if (wd < 0 && now >= retryAt)
                {
                    wd = TryWatch(ref inotify, out var problem);
                    if (wd < 0)
                    {
                        context.SetState(InputState.NoSignal, problem);
                        retryAt = now + pacer.RetryTicks;
                    }
                    else
                    {
                        context.SetState(InputState.Starting, $"waiting for new files in {folder}");
                    }
                }

                if (wd >= 0 && !DrainEvents(ref inotify, wd, buffer))
                {
                    wd = -1;
                    _pendingLength = -1;
                    context.SetState(InputState.NoSignal, $"folder {folder} went away");
                    retryAt = now + pacer.RetryTicks;
                    continue;
                }

                if (_pendingLength >= 0 && now >= due)
                {
                    var path = _fileNamePath ?? Path.Join(folder, Encoding.UTF8.GetString(_pendingName, 0, _pendingLength));
                    _pendingLength = -1;
                    if (files.Handle(path, warnOnce: null) == JpegFileOutcome.Good)
                    {
                        due = pacer.NextDue(due, now);
                    }

                    continue;
                }

                var deadline = long.MaxValue;
                if (_pendingLength >= 0)
                {
                    deadline = due;
                }

                if (wd < 0)
                {
                    deadline = Math.Min(deadline, retryAt);
                }

                pacer.WaitUntil(deadline, wd >= 0 ? inotify : null);
            }
        }
        finally
        {
            inotify?.Dispose();
        }
    }

    /// <summary>Creates the inotify descriptor if needed and watches the folder; the watch descriptor or -1.</summary>
    private int TryWatch(ref Inotify.FdHandle? inotify, out string problem)
    {
        int errno;
        if (inotify is null)
        {
            var created = Inotify.Create(out errno);
            if (created.IsInvalid)
            {
                created.Dispose();
                problem = $"inotify_init1 failed: {Marshal.GetPInvokeErrorMessage(errno)}";
                return -1;
            }

            inotify = created;
        }

        var wd = Inotify.AddWatch(inotify, folder, WatchMask, out errno);
        problem = wd >= 0 ? ""
            : errno is 2 or 20 ? $"folder {folder} does not exist"
            : $"cannot watch {folder}: {Marshal.GetPInvokeErrorMessage(errno)}";
        return wd;
    }

    /// <summary>
    /// Handles every queued event, remembering the newest matching file. False when the watch is gone
    /// (folder deleted, moved or unmounted, or the descriptor failed).
    /// </summary>
    private bool DrainEvents(ref Inotify.FdHandle? inotify, int wd, byte[] buffer)
    {
        var gone = false;
        while (true)
        {
            var count = Inotify.ReadEvents(inotify!, buffer, out _);
            if (count < 0)
            {
                // Should not happen; a fresh descriptor is the simplest recovery.
                inotify!.Dispose();
                inotify = null;
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
                    if (!_overflowLogged)
                    {
                        _overflowLogged = true;
                        FolderLog.Overflow(_logger, folder);
                    }

                    continue;
                }

                if (ev.Wd != wd || gone)
                {
                    continue;
                }

                if ((ev.Mask & Inotify.WatchGone) != 0)
                {
                    // After a move the watch would follow the folder to its new name: drop it and watch the path again.
                    Inotify.RemoveWatch(inotify!, wd);
                    gone = true;
                    continue;
                }

                if ((ev.Mask & (Inotify.CloseWrite | Inotify.MovedTo)) != 0 && (ev.Mask & Inotify.IsDir) == 0 && Wanted(ev.Name))
                {
                    SetPending(ev.Name);
                }
            }
        }
    }

    private bool Wanted(ReadOnlySpan<byte> name) =>
        name.Length > 0 && name.Length <= _pendingName.Length
        && (_fileNameUtf8 is null || name.SequenceEqual(_fileNameUtf8));

    private void SetPending(ReadOnlySpan<byte> name)
    {
        if (_pendingLength >= 0 && remove && !name.SequenceEqual(_pendingName.AsSpan(0, _pendingLength)))
        {
            // With -r the folder must not fill up with the files a newer one replaced before they were shown.
            var superseded = Path.Join(folder, Encoding.UTF8.GetString(_pendingName, 0, _pendingLength));
            if (files.TryDelete(superseded))
            {
                FolderLog.Superseded(_logger, superseded);
            }
        }

        name.CopyTo(_pendingName);
        _pendingLength = name.Length;
    }
}
