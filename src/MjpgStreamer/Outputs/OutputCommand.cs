using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Diagnostics;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Native.Sources;

namespace MjpgStreamer.Outputs;

/// <summary>
/// -c of output_file and output_udp: the command runs without a shell (its words split like the other command
/// options, the saved file appended as the last argument, MJPG_FILE=&lt;file&gt; in its environment), in the
/// background: the recording never waits for it, and while one runs a new picture starts no other (it is skipped
/// and counted). Its stderr goes to the log; at shutdown it is stopped as every child is.
/// </summary>
internal sealed partial class OutputCommand
{
    private readonly IReadOnlyList<string> _words;
    private readonly string _owner;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationToken _stopping;
    private Task _current = Task.CompletedTask;
    private int _running;
    private long _started;
    private long _skipped;
    private long _failed;

    public OutputCommand(IReadOnlyList<string> words, string owner, ILogger logger, TimeProvider time, CancellationToken stopping)
    {
        _words = words;
        _owner = owner;
        _logger = logger;
        _time = time;
        _stopping = stopping;
    }

    /// <summary>The words of -c, or null without it; a usage error for an unbalanced quote or an empty command.</summary>
    public static IReadOnlyList<string>? ParseOption(string plugin, string? text)
    {
        if (text is null)
        {
            return null;
        }

        IReadOnlyList<string> words;
        try
        {
            words = ArgumentSplitter.SplitWords(text);
        }
        catch (UsageException)
        {
            throw new UsageException($"{plugin}: -c has an unbalanced double quote: {text}");
        }

        return words.Count > 0 && words[0].Length > 0 ? words : throw new UsageException($"{plugin}: -c needs a command");
    }

    public long Started => Interlocked.Read(ref _started);

    public long Skipped => Interlocked.Read(ref _skipped);

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Starts the command for <paramref name="file"/> unless one is still running (then false).</summary>
    public bool TryStart(string file)
    {
        if (Interlocked.CompareExchange(ref _running, 1, 0) != 0)
        {
            Interlocked.Increment(ref _skipped);
            LogSkipped(_logger, _owner, file);
            return false;
        }

        Interlocked.Increment(ref _started);
        _current = Task.Run(() => RunAsync(file), CancellationToken.None);
        return true;
    }

    /// <summary>Completes when the command that runs now (if any) has ended (it is stopped when the process stops).</summary>
    public Task WhenIdleAsync() => _current;

    private async Task RunAsync(string file)
    {
        try
        {
            var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["MJPG_FILE"] = file };
            var outcome = await CommandRun.RunAsync([.. _words, file], keepStdout: false, _owner, _logger, _time, _stopping, environment).ConfigureAwait(false);
            if (outcome.ExitCode is { } code and not 0)
            {
                Interlocked.Increment(ref _failed);
                LogExited(_logger, _owner, _words[0], code, outcome.LastError ?? "");
            }
        }
        catch (ChildStartException e)
        {
            Interlocked.Increment(ref _failed);
            LogStartFailed(_logger, _owner, e.Message);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    [LoggerMessage(EventId = LogEvents.OutputCommandSkipped, Level = LogLevel.Debug, Message = "{Owner}: -c still runs, not started for {File}")]
    private static partial void LogSkipped(ILogger logger, string owner, string file);

    [LoggerMessage(EventId = LogEvents.OutputCommandExited, Level = LogLevel.Warning, Message = "{Owner}: -c {Program} exited with {Code} {LastError}")]
    private static partial void LogExited(ILogger logger, string owner, string program, int code, string lastError);

    [LoggerMessage(EventId = LogEvents.OutputCommandStartFailed, Level = LogLevel.Warning, Message = "{Owner}: -c {Why}")]
    private static partial void LogStartFailed(ILogger logger, string owner, string why);
}
