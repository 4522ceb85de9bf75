using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Interop;

namespace MjpgStreamer.Native.Sources;

/// <summary>
/// input_file.so: JPEG files from a folder (spec §3.1). By default it shows files as they are written into
/// the folder (inotify: closed after writing, or moved in); with -e it loops over the .jpg files present at
/// start. Unlike the original it checks every file (a broken one is skipped, not streamed), takes the newest
/// of several files that arrived during the delay, and survives the folder going away.
/// </summary>
public sealed partial class FolderSource : IFrameSource
{
    private const string PluginName = "input_file.so";
    private const string PluginDisplayName = "FILE input plugin";
    private const double MaxDelaySeconds = 86_400;

    /// <summary>Larger files are not JPEG frames anyone streams; refusing them bounds the pooled buffers.</summary>
    private const int MaxFileBytes = 64 * 1024 * 1024;

    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private readonly string? _fileNamePath;
    private readonly byte[]? _fileNameUtf8;

    /// <param name="folder">The folder; a relative path is resolved against the current directory now.</param>
    /// <param name="delay">Pause between published frames (zero: none).</param>
    /// <param name="remove">Delete each file after reading it.</param>
    /// <param name="fileName">Watch mode: only this file name counts.</param>
    /// <param name="existing">Loop over the .jpg files present at start instead of watching.</param>
    /// <exception cref="StartupException">The folder does not exist or is not a folder.</exception>
    public FolderSource(string folder, TimeSpan delay, bool remove = false, string? fileName = null, bool existing = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        if (!Directory.Exists(full))
        {
            throw new StartupException(File.Exists(full)
                ? $"{PluginName}: '{full}' is not a folder"
                : $"{PluginName}: folder '{full}' does not exist");
        }

        Folder = full;
        Delay = delay;
        Remove = remove;
        FileName = fileName;
        Existing = existing;
        if (fileName is not null)
        {
            _fileNamePath = Path.Join(full, fileName);
            _fileNameUtf8 = Encoding.UTF8.GetBytes(fileName);
        }
    }

    /// <summary>The plugin table entry for input_file.so.</summary>
    public static InputPlugin Plugin { get; } = new(
        PluginName,
        PluginDisplayName,
        [
            new OptionSpec("d", true, "d", "delay"),
            new OptionSpec("f", true, "f", "folder"),
            new OptionSpec("r", false, "r", "remove"),
            new OptionSpec("n", true, "n", "name"),
            new OptionSpec("e", false, "e", "existing"),
        ],
        PluginHelp.Format(
            "input",
            PluginDisplayName,
            ("[-d | --delay ]", "delay (in seconds) to pause between frames"),
            ("[-f | --folder ]", "folder to watch for new JPEG files"),
            ("[-r | --remove ]", "remove/delete JPEG file after reading"),
            ("[-n | --name ]", "ignore changes unless filename matches"),
            ("[-e | --existing ]", "serve the existing *.jpg files from the specified directory")),
        (options, _) => Create(options));

    public string DisplayName => PluginDisplayName;

    /// <summary>Absolute path of the folder, without a trailing separator.</summary>
    public string Folder { get; }

    public TimeSpan Delay { get; }

    public bool Remove { get; }

    /// <summary>The -n file name, or null for any file.</summary>
    public string? FileName { get; }

    public bool Existing { get; }

    private static FolderSource Create(ParsedOptions options)
    {
        var folder = options.Require("f", "a folder");
        if (folder.Length == 0)
        {
            throw new UsageException($"{PluginName}: a folder is required (-f)");
        }

        var delay = options.GetDouble("d", 1.0, min: 0);
        if (delay > MaxDelaySeconds)
        {
            throw new UsageException($"{PluginName}: -d '{options.Get("d")}' is longer than {MaxDelaySeconds.ToString(CultureInfo.InvariantCulture)} seconds");
        }

        var name = options.Get("n");
        if (name is not null && (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name is "." or ".."))
        {
            throw new UsageException($"{PluginName}: -n '{name}' must be a file name in the folder, not a path");
        }

        return new FolderSource(folder, TimeSpan.FromSeconds(delay), options.Has("r"), name, options.Has("e"));
    }

    /// <summary>
    /// Runs the folder reader on its own thread ("input_file"). The task completes, without an exception on
    /// cancellation, once the thread has closed its inotify and eventfd descriptors.
    /// </summary>
    public Task RunAsync(SourceContext context, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(context);
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                using (var worker = new Worker(this, context, cancellation))
                {
                    worker.Run();
                }

                completion.TrySetResult();
            }
            catch (Exception ex)
            {
                completion.TrySetException(ex);
            }
        })
        {
            Name = "input_file",
            IsBackground = true,
        };
        thread.Start();
        return completion.Task;
    }

    internal static bool IsJpgName(string name) =>
        name.Contains(".jpg", StringComparison.Ordinal) || name.Contains(".JPG", StringComparison.Ordinal);

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "input_file: folder to watch...: {Folder}/")]
    private static partial void LogFolder(ILogger logger, string folder);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "input_file: forced delay......: {Delay}")]
    private static partial void LogDelay(ILogger logger, string delay);

    [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "input_file: delete file.......: {Answer}")]
    private static partial void LogRemove(ILogger logger, string answer);

    [LoggerMessage(EventId = 403, Level = LogLevel.Information, Message = "input_file: filename must be..: {Name}")]
    private static partial void LogNameFilter(ILogger logger, string name);

    [LoggerMessage(EventId = 404, Level = LogLevel.Information, Message = "input_file: mode..............: {Mode}")]
    private static partial void LogMode(ILogger logger, string mode);

    [LoggerMessage(EventId = 405, Level = LogLevel.Warning, Message = "input_file: skipped '{Path}': {Problem}")]
    private static partial void LogSkipped(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 406, Level = LogLevel.Debug, Message = "input_file: '{Path}' disappeared before it could be read")]
    private static partial void LogVanished(ILogger logger, string path);

    [LoggerMessage(EventId = 407, Level = LogLevel.Warning, Message = "input_file: could not delete '{Path}': {Problem}")]
    private static partial void LogDeleteFailed(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 408, Level = LogLevel.Warning, Message = "input_file: the inotify queue overflowed, some new files in {Folder} were missed")]
    private static partial void LogOverflow(ILogger logger, string folder);

    [LoggerMessage(EventId = 409, Level = LogLevel.Debug, Message = "input_file: deleted '{Path}' unread, a newer file replaced it")]
    private static partial void LogSuperseded(ILogger logger, string path);

    private enum ReadOutcome
    {
        Published,
        Invalid,
        Missing,
    }

    /// <summary>One listed file in -e mode.</summary>
    private sealed class Entry(string path, string name)
    {
        public string Path { get; } = path;

        public string Name { get; } = name;

        /// <summary>A warning about this file was logged and it has not been good since: do not repeat it every loop.</summary>
        public bool Warned { get; set; }
    }

    /// <summary>The state of one run: descriptors, timer and buffers, all owned by the worker thread.</summary>
    private sealed class Worker : IDisposable
    {
        private const uint WatchMask = Inotify.CloseWrite | Inotify.MovedTo | Inotify.MoveSelf | Inotify.DeleteSelf;
        private const uint WatchGoneMask = Inotify.Ignored | Inotify.Unmount | Inotify.DeleteSelf | Inotify.MoveSelf;

        private readonly FolderSource _source;
        private readonly SourceContext _context;
        private readonly ILogger _logger;
        private readonly TimeProvider _time;
        private readonly CancellationToken _cancellation;
        private readonly Inotify.FdHandle _wake;
        private readonly ITimer _timer;
        private readonly CancellationTokenRegistration _registration;
        private readonly long _delayTicks;
        private readonly long _retryTicks;

        // Watch mode: the newest matching file name seen and not handled yet (bytes as the kernel gave them).
        private readonly byte[] _pendingName = new byte[256];
        private int _pendingLength = -1;
        private bool _overflowLogged;

        public Worker(FolderSource source, SourceContext context, CancellationToken cancellation)
        {
            _source = source;
            _context = context;
            _logger = context.Logger;
            _time = context.Time;
            _cancellation = cancellation;
            _delayTicks = (long)(source.Delay.TotalSeconds * _time.TimestampFrequency);
            _retryTicks = (long)(RetryInterval.TotalSeconds * _time.TimestampFrequency);
            _wake = Inotify.CreateEventFd(out var errno);
            if (_wake.IsInvalid)
            {
                _wake.Dispose();
                throw new IOException($"eventfd failed: {Marshal.GetPInvokeErrorMessage(errno)}");
            }

            // Both the pacing timer and cancellation wake the thread through the eventfd it polls.
            _timer = _time.CreateTimer(static state => Inotify.Signal((Inotify.FdHandle)state!), _wake, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _registration = cancellation.UnsafeRegister(static state => Inotify.Signal((Inotify.FdHandle)state!), _wake);
        }

        private bool Cancelled => _cancellation.IsCancellationRequested;

        public void Run()
        {
            LogFolder(_logger, _source.Folder);
            LogDelay(_logger, _source.Delay.TotalSeconds.ToString("F4", CultureInfo.InvariantCulture));
            LogRemove(_logger, _source.Remove ? "yes, delete" : "no, do not delete");
            LogNameFilter(_logger, _source.FileName ?? "-no filter for certain filename set-");
            LogMode(_logger, _source.Existing ? "loop over the existing .jpg files" : "watch for new files");
            if (_source.Existing)
            {
                RunExisting();
            }
            else
            {
                RunWatch();
            }
        }

        public void Dispose()
        {
            // The registration first: its Dispose waits for a running callback, so nothing signals a closed fd.
            _registration.Dispose();
            _timer.Dispose();
            _wake.Dispose();
        }

        private void RunWatch()
        {
            Inotify.FdHandle? inotify = null;
            var wd = -1;
            long retryAt = 0;
            long due = 0;
            var buffer = new byte[16 * 1024];
            try
            {
                while (!Cancelled)
                {
                    var now = _time.GetTimestamp();
                    if (wd < 0 && now >= retryAt)
                    {
                        wd = TryWatch(ref inotify, out var problem);
                        if (wd < 0)
                        {
                            _context.SetState(InputState.NoSignal, problem);
                            retryAt = now + _retryTicks;
                        }
                        else
                        {
                            _context.SetState(InputState.Starting, $"waiting for new files in {_source.Folder}");
                        }
                    }

                    if (wd >= 0 && !DrainEvents(ref inotify, wd, buffer))
                    {
                        wd = -1;
                        _pendingLength = -1;
                        _context.SetState(InputState.NoSignal, $"folder {_source.Folder} went away");
                        retryAt = now + _retryTicks;
                        continue;
                    }

                    if (_pendingLength >= 0 && now >= due)
                    {
                        var path = _source._fileNamePath ?? Path.Join(_source.Folder, Encoding.UTF8.GetString(_pendingName, 0, _pendingLength));
                        _pendingLength = -1;
                        if (Handle(path, warnOnce: null) == ReadOutcome.Published)
                        {
                            due = NextDue(due, now);
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

                    WaitUntil(deadline, wd >= 0 ? inotify : null);
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

            var wd = Inotify.AddWatch(inotify, _source.Folder, WatchMask, out errno);
            problem = wd >= 0 ? ""
                : errno is 2 or 20 ? $"folder {_source.Folder} does not exist"
                : $"cannot watch {_source.Folder}: {Marshal.GetPInvokeErrorMessage(errno)}";
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
                            LogOverflow(_logger, _source.Folder);
                        }

                        continue;
                    }

                    if (ev.Wd != wd || gone)
                    {
                        continue;
                    }

                    if ((ev.Mask & WatchGoneMask) != 0)
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
            && (_source._fileNameUtf8 is null || name.SequenceEqual(_source._fileNameUtf8));

        private void SetPending(ReadOnlySpan<byte> name)
        {
            if (_pendingLength >= 0 && _source.Remove && !name.SequenceEqual(_pendingName.AsSpan(0, _pendingLength)))
            {
                // With -r the folder must not fill up with the files a newer one replaced before they were shown.
                var superseded = Path.Join(_source.Folder, Encoding.UTF8.GetString(_pendingName, 0, _pendingLength));
                if (TryDelete(superseded))
                {
                    LogSuperseded(_logger, superseded);
                }
            }

            name.CopyTo(_pendingName);
            _pendingLength = name.Length;
        }

        private void RunExisting()
        {
            var entries = new List<Entry>();
            string? listProblem = List(entries);
            var index = 0;
            var publishedThisPass = false;
            long due = 0;
            while (!Cancelled)
            {
                if (index >= entries.Count)
                {
                    if (entries.Count == 0 || !publishedThisPass)
                    {
                        // The clock is read before the state changes, so whoever sees the state and advances a
                        // clock (a test) cannot push the retry further away.
                        var retryAt = _time.GetTimestamp() + _retryTicks;
                        _context.SetState(
                            InputState.NoSignal,
                            listProblem ?? (entries.Count == 0 ? $"no .jpg files in {_source.Folder}" : $"no readable .jpg files in {_source.Folder}"));
                        WaitUntil(retryAt, null);
                        if (Cancelled)
                        {
                            break;
                        }

                        listProblem = List(entries);
                    }

                    index = 0;
                    publishedThisPass = false;
                    continue;
                }

                var now = _time.GetTimestamp();
                if (now < due)
                {
                    WaitUntil(due, null);
                    continue;
                }

                var entry = entries[index];
                var outcome = Handle(entry.Path, entry);
                if (outcome == ReadOutcome.Published)
                {
                    publishedThisPass = true;
                    due = NextDue(due, now);
                }

                if (outcome == ReadOutcome.Missing || _source.Remove)
                {
                    entries.RemoveAt(index);
                }
                else
                {
                    index++;
                }
            }
        }

        /// <summary>Lists the folder's .jpg files in ordinal name order; a problem text when the folder cannot be read.</summary>
        private string? List(List<Entry> entries)
        {
            // Files that were bad before stay quiet after a re-list.
            var warned = entries.Where(e => e.Warned).Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
            entries.Clear();
            try
            {
                var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true, RecurseSubdirectories = false };
                foreach (var path in Directory.EnumerateFiles(_source.Folder, "*", options))
                {
                    var name = Path.GetFileName(path);
                    if (IsJpgName(name))
                    {
                        entries.Add(new Entry(path, name) { Warned = warned.Contains(name) });
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                entries.Clear();
                return $"cannot list {_source.Folder}: {ex.Message}";
            }

            entries.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            return null;
        }

        /// <summary>Reads, checks and publishes one file, logs a skip, and deletes the file if asked to.</summary>
        private ReadOutcome Handle(string path, Entry? warnOnce)
        {
            var outcome = ReadAndPublish(path, out var problem);
            switch (outcome)
            {
                case ReadOutcome.Published:
                    if (warnOnce is not null)
                    {
                        warnOnce.Warned = false;
                    }

                    break;
                case ReadOutcome.Invalid:
                    if (warnOnce is null || !warnOnce.Warned)
                    {
                        LogSkipped(_logger, path, problem!);
                    }

                    if (warnOnce is not null)
                    {
                        warnOnce.Warned = true;
                    }

                    break;
                case ReadOutcome.Missing:
                    if (warnOnce is null)
                    {
                        LogVanished(_logger, path);
                    }
                    else
                    {
                        LogSkipped(_logger, path, "the file no longer exists");
                    }

                    break;
            }

            if (outcome != ReadOutcome.Missing && _source.Remove)
            {
                TryDelete(path);
            }

            return outcome;
        }

        private ReadOutcome ReadAndPublish(string path, out string? problem)
        {
            problem = null;
            var frame = _context.RentFrame();
            try
            {
                using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                var length = RandomAccess.GetLength(handle);
                if (length == 0)
                {
                    problem = "the file is empty";
                }
                else if (length > MaxFileBytes)
                {
                    problem = $"the file is larger than {MaxFileBytes} bytes";
                }
                else
                {
                    // Straight into the pooled frame buffer: no copy, no allocation per frame.
                    var span = frame.GetWritableSpan((int)length)[..(int)length];
                    var total = 0;
                    while (total < span.Length)
                    {
                        var n = RandomAccess.Read(handle, span[total..], total);
                        if (n == 0)
                        {
                            break;
                        }

                        total += n;
                    }

                    frame.SetLength(total);
                    if (!JpegInfo.IsWellFormed(frame.Span))
                    {
                        problem = total < length
                            ? $"the file got shorter while it was read ({total} of {length} bytes)"
                            : "not a complete JPEG (corrupt or truncated)";
                    }
                }
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                frame.Release();
                return ReadOutcome.Missing;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                problem = ex.Message;
            }

            if (problem is not null)
            {
                frame.Release();
                return ReadOutcome.Invalid;
            }

            _context.Publish(frame);
            return ReadOutcome.Published;
        }

        private bool TryDelete(string path)
        {
            try
            {
                File.Delete(path);
                return true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogDeleteFailed(_logger, path, ex.Message);
                return false;
            }
        }

        /// <summary>
        /// Frames are due at fixed steps (previous due + delay), so the time spent reading does not slow the
        /// rate down; after a stall of more than one frame the schedule restarts from now instead of bursting.
        /// </summary>
        private long NextDue(long due, long now)
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
        private void WaitUntil(long deadline, Inotify.FdHandle? inotify)
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
    }
}
