using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Diagnostics;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Native.Interop;
using MjpgStreamer.Plugins;

namespace MjpgStreamer.Outputs;

/// <summary>
/// output_file.so: records one input's frames into a folder, as pictures named as the original's
/// (YYYY_MM_DD_hh_mm_ss_picture_000000000.jpg, local time, a counter from 0) with a ring (-s, -e), a hard link to the
/// newest (-l) and a command after each (-c); or appended to one MJPEG file (-m). Placeholder frames (pause, no
/// signal) are not recorded. A write error is logged once and the next frames try again (at most once a second)
/// while the error lasts. Takes (?action=take, the "Take snapshot" command) save the newest camera frame under a
/// name confined to the folder.
/// </summary>
internal sealed partial class FileOutput : IOutput
{
    public const string Name = "output_file.so";

    public static readonly OutputPlugin Descriptor = new(
        Name,
        "FILE output plugin",
        FileOutputOptions.Specs,
        FileOutputOptions.Help,
        static parsed =>
        {
            var options = FileOutputOptions.From(parsed);
            return context => new FileOutput(context, options);
        })
    {
        Summary = "saves frames as pictures or one MJPEG file (-f FOLDER -s RING -l LINK -c COMMAND -m FILE)",
    };

    /// <summary>How long after a failed write the next frame tries again.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    private static readonly IReadOnlyList<Control> FileControls =
    [
        new("Take snapshot", 1, 4, 0, 1, 1, 0, 1, 0, 0),
        new("Filename", 2, 7, 0, 32, 1, 0, 1, 0, 0),
    ];

    private readonly OutputContext _context;
    private readonly FileOutputOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly OutputCommand? _command;
    private Task _recording = Task.CompletedTask;
    private FileStream? _mjpeg;
    private long _mjpegLength;
    private long _counter;
    private long _written;
    private long _takes;
    private long _errors;
    private string? _lastFile;
    private string? _lastError;
    private bool _failing;
    private long _retryAt;

    public FileOutput(OutputContext context, FileOutputOptions options)
    {
        _context = context;
        _options = options;
        _logger = context.LoggerFactory.CreateLogger("output_file");
        if (options.Command is { } words)
        {
            _command = new OutputCommand(words, $"output {context.Id} -c", _logger, context.Time, _stop.Token);
        }
    }

    public int Id => _context.Id;

    public string Plugin => _context.Plugin;

    public string Args => _context.Args;

    public string DisplayName => "FILE output plugin";

    public IReadOnlyList<Control> Controls => FileControls;

    /// <summary>The input it records (-i).</summary>
    public int InputNumber => _options.Input;

    public bool IsAlive => !_recording.IsFaulted;

    public string? ReadyText => null;

    public Task StartAsync(CancellationToken cancellation)
    {
        var inputs = _context.Streamer.Inputs.Count;
        if (_options.Input >= inputs)
        {
            throw new StartupException($"{Plugin}: -i {_options.Input} but there {(inputs == 1 ? "is 1 input" : $"are {inputs} inputs")} (numbered from 0)");
        }

        _options.Folder.CheckWritable(Plugin);
        if (_options.MjpegFile is { } mjpeg)
        {
            var path = Path.Combine(_options.Folder.Path, mjpeg);
            try
            {
                // Created or truncated at start, as the original's.
                _mjpeg = new FileStream(path, OutputFolder.CreateOptions(FileMode.Create));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new StartupException($"{Plugin}: cannot open -m file '{path}': {e.Message}");
            }

            _lastFile = path;
        }

        LogStarted(_logger, Id, _options.Input, _options.MjpegFile is null ? _options.Folder.Path : _lastFile!, _options.MjpegFile is null ? "pictures" : "MJPEG file");
        _recording = Task.Run(() => RecordAsync(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        await _recording;
        if (_command is not null)
        {
            await _command.WhenIdleAsync();
        }

        lock (_gate)
        {
            _mjpeg?.Dispose();
            _mjpeg = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task RecordAsync(CancellationToken stop)
    {
        var hub = _context.Streamer.Inputs[_options.Input].Hub;
        try
        {
            // The file work never runs on the camera's thread.
            using var subscriber = hub.Subscribe(stop, startWithCurrent: false, mayRunInline: false);
            while (true)
            {
                var frame = await subscriber.NextAsync();
                if (frame is null)
                {
                    continue;
                }

                var saved = false;
                try
                {
                    if (!frame.IsPlaceholder && !WaitingToRetry())
                    {
                        saved = _options.MjpegFile is null ? SavePicture(frame) : Append(frame);
                    }
                }
                finally
                {
                    frame.Release();
                }

                if (saved && _options.DelayMs > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(_options.DelayMs), _context.Time, stop);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private bool WaitingToRetry()
    {
        lock (_gate)
        {
            return _failing && _context.Time.GetTimestamp() < _retryAt;
        }
    }

    /// <summary>
    /// -m: the frame is appended with one positioned write at the end of the last whole frame; when the write fails
    /// (a full disk) the file is cut back to that length, so it always ends with a whole frame.
    /// </summary>
    private bool Append(Frame frame)
    {
        lock (_gate)
        {
            if (_mjpeg is not { } file)
            {
                return false;
            }

            try
            {
                RandomAccess.Write(file.SafeFileHandle, frame.Span, _mjpegLength);
                _mjpegLength += frame.Length;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                try
                {
                    RandomAccess.SetLength(file.SafeFileHandle, _mjpegLength);
                }
                catch (Exception cut) when (cut is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
                {
                    // A device (/dev/full) cannot be cut; a file that cannot be cut now is cut by the next success.
                }

                FailedLocked(file.Name, e);
                return false;
            }

            _written++;
            SucceededLocked(file.Name);
            return true;
        }
    }

    private bool SavePicture(Frame frame)
    {
        var name = NextPictureName();
        string path;
        try
        {
            path = _options.Folder.Write(name, frame.Span);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            lock (_gate)
            {
                FailedLocked(_options.Folder.PathOf(name), e);
            }

            return false;
        }

        long counter;
        lock (_gate)
        {
            _written++;
            counter = _counter;
            SucceededLocked(path);
        }

        if (_options.Link is { } link)
        {
            UpdateLink(path, link);
        }

        _command?.TryStart(path);
        if (_options.Size > 0 && (counter == 1 || counter % (_options.Exceed + 1) == 0))
        {
            Prune();
        }

        return true;
    }

    /// <summary>The next picture name (the counter counts it), in local time as the original's.</summary>
    private string NextPictureName()
    {
        var now = _context.Time.GetLocalNow();
        lock (_gate)
        {
            return PictureName(now, _counter++);
        }
    }

    internal static string PictureName(DateTimeOffset localTime, long counter) =>
        localTime.ToString("yyyy'_'MM'_'dd'_'HH'_'mm'_'ss", CultureInfo.InvariantCulture) + "_picture_" + counter.ToString("D9", CultureInfo.InvariantCulture) + ".jpg";

    [GeneratedRegex(@"^[0-9]{4}_[0-9]{2}_[0-9]{2}_[0-9]{2}_[0-9]{2}_[0-9]{2}_picture_[0-9]{9}\.jpg$", RegexOptions.CultureInvariant)]
    internal static partial Regex PicturePattern();

    /// <summary>-l: a new hard link to the picture under a temporary name, renamed over the old link (atomic).</summary>
    private void UpdateLink(string picture, string link)
    {
        var temporary = _options.Folder.TemporaryName();
        try
        {
            LibcLinks.CreateHardLink(picture, temporary);
            File.Move(temporary, _options.Folder.PathOf(link), overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            OutputFolder.TryDelete(temporary);
            LogLinkFailed(_logger, Id, link, e.Message);
        }
    }

    /// <summary>-s: deletes the oldest pictures (names of our pattern only, sorted as the original sorts) until -s remain.</summary>
    private void Prune()
    {
        try
        {
            var pictures = new List<string>();
            foreach (var entry in new DirectoryInfo(_options.Folder.Path).EnumerateFiles())
            {
                if (PicturePattern().IsMatch(entry.Name) && entry.LinkTarget is null)
                {
                    pictures.Add(entry.Name);
                }
            }

            pictures.Sort(StringComparer.Ordinal);
            for (var i = 0; i < pictures.Count - _options.Size; i++)
            {
                File.Delete(_options.Folder.PathOf(pictures[i]));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogPruneFailed(_logger, Id, _options.Folder.Path, e.Message);
        }
    }

    private void FailedLocked(string path, Exception e)
    {
        _errors++;
        _lastError = e.Message;
        _retryAt = _context.Time.GetTimestamp() + (long)(RetryAfter.TotalSeconds * _context.Time.TimestampFrequency);
        if (!_failing)
        {
            _failing = true;
            LogWriteFailed(_logger, Id, path, e.Message);
        }
    }

    private void SucceededLocked(string path)
    {
        _lastFile = path;
        if (_failing)
        {
            _failing = false;
            LogWriteRecovered(_logger, Id, path, _errors);
        }
    }

    /// <summary>What a take did: the path saved, or why not (Status: 400 a refused name, 503 no frame yet, 500 a write error).</summary>
    public sealed record TakeResult(string? Path, int Status, string? Error);

    /// <summary>
    /// Saves the newest camera frame (never a pause or no-signal placeholder) as <paramref name="name"/> in the
    /// folder, or under the next picture name when null. A name that is not a plain name in the folder is refused.
    /// </summary>
    public TakeResult Take(string? name)
    {
        if (name is not null && OutputFolder.Refusal(name) is { } refused)
        {
            LogTakeRefused(_logger, Id, refused);
            return new TakeResult(null, 400, refused);
        }

        var frame = _context.Streamer.Inputs[_options.Input].Hub.AcquireLastReal();
        if (frame is null)
        {
            return new TakeResult(null, 503, $"no frame from input {_options.Input} yet");
        }

        try
        {
            var path = _options.Folder.Write(name ?? NextPictureName(), frame.Span);
            lock (_gate)
            {
                _takes++;
                _lastFile = path;
            }

            LogTaken(_logger, Id, path);
            return new TakeResult(path, 200, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            lock (_gate)
            {
                _errors++;
                _lastError = e.Message;
            }

            return new TakeResult(null, 500, $"could not save the snapshot: {e.Message}");
        }
        finally
        {
            frame.Release();
        }
    }

    /// <summary>id 1 "Take snapshot" with value=NAME (a plain name in the folder): 0 when saved, else -1. id 2 and others: -1.</summary>
    public ValueTask<int> ExecuteCommandAsync(CommandRequest command, CancellationToken cancellation)
    {
        if (command.Id != 1 || string.IsNullOrEmpty(command.StringValue))
        {
            return ValueTask.FromResult(-1);
        }

        return ValueTask.FromResult(Take(command.StringValue).Path is null ? -1 : 0);
    }

    public void WriteState(Utf8JsonWriter writer)
    {
        lock (_gate)
        {
            writer.WriteNumber("input", _options.Input);
            writer.WriteString("folder", _options.Folder.Path);
            writer.WriteString("mode", _options.MjpegFile is null ? "pictures" : "mjpeg");
            writer.WriteNumber(_options.MjpegFile is null ? "files_written" : "frames_written", _written);
            writer.WriteNumber("snapshots_taken", _takes);
            writer.WriteString("last_file", _lastFile);
            writer.WriteNumber("write_errors", _errors);
            writer.WriteBoolean("failing", _failing);
            writer.WriteString("last_error", _lastError);
            if (_command is { } command)
            {
                writer.WriteNumber("commands_started", command.Started);
                writer.WriteNumber("commands_skipped", command.Skipped);
                writer.WriteNumber("commands_failed", command.Failed);
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.FileOutputStarted, Level = LogLevel.Information, Message = "output {OutputId}: saving input {Input} into {Where} ({Mode})")]
    private static partial void LogStarted(ILogger logger, int outputId, int input, string where, string mode);

    [LoggerMessage(EventId = LogEvents.FileOutputWriteFailed, Level = LogLevel.Warning, Message = "output {OutputId}: cannot write {Path}: {Error} (frames are skipped and retried once a second; logged once until a write succeeds)")]
    private static partial void LogWriteFailed(ILogger logger, int outputId, string path, string error);

    [LoggerMessage(EventId = LogEvents.FileOutputWriteRecovered, Level = LogLevel.Information, Message = "output {OutputId}: writing again ({Path}); {Errors} write error(s) so far")]
    private static partial void LogWriteRecovered(ILogger logger, int outputId, string path, long errors);

    [LoggerMessage(EventId = LogEvents.FileOutputPruneFailed, Level = LogLevel.Warning, Message = "output {OutputId}: cannot prune old pictures in {Folder}: {Error}")]
    private static partial void LogPruneFailed(ILogger logger, int outputId, string folder, string error);

    [LoggerMessage(EventId = LogEvents.FileOutputLinkFailed, Level = LogLevel.Warning, Message = "output {OutputId}: cannot update the link {Link}: {Error}")]
    private static partial void LogLinkFailed(ILogger logger, int outputId, string link, string error);

    [LoggerMessage(EventId = LogEvents.FileOutputTaken, Level = LogLevel.Information, Message = "output {OutputId}: snapshot saved as {Path}")]
    private static partial void LogTaken(ILogger logger, int outputId, string path);

    [LoggerMessage(EventId = LogEvents.FileOutputTakeRefused, Level = LogLevel.Warning, Message = "output {OutputId}: snapshot refused: {Reason}")]
    private static partial void LogTakeRefused(ILogger logger, int outputId, string reason);
}
