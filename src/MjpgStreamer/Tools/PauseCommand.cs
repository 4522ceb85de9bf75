using System.Globalization;
using MjpgStreamer.Core.Pause;

namespace MjpgStreamer.Tools;

/// <summary>
/// "mjpg_streamer pause" and "mjpg_streamer resume", made for Octolapse's before/after snapshot scripts: Octolapse fails
/// a script that writes anything to stderr and gives it no time limit, so success prints nothing and every failure
/// is one line within --timeout. Pause creates the lock file the server watches and waits until /state shows every
/// input released; resume removes it and waits until every input streams again.
/// </summary>
internal static class PauseCommand
{
    /// <summary>How often /state is asked; the server reacts to the lock file within a few tens of milliseconds.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    public static string Help => $"""
        Usage: mjpg_streamer pause  [--pause-file PATH] [--url URL] [--timeout SECONDS]
               mjpg_streamer resume [--pause-file PATH] [--url URL] [--timeout SECONDS]

          pause   creates the pause file, so the server releases every camera (its HTTP
                  clients stay connected), and returns once the server reports every
                  input released. Another program (raspistill, libcamera-still) can then
                  use the camera.
          resume  removes the pause file and returns once every input streams again.

        Success prints nothing and exits 0. A failure prints one line on stderr and
        exits 1; a pause that fails removes the pause file again if it created it.

          --pause-file PATH  the file the server watches (its own --pause-file),
                             default {PauseDefaults.LockFile}
          --url URL          the server's base address, default {ToolOptions.DefaultUrl};
                             its /state is asked ("http://host/webcam/" asks
                             http://host/webcam/state); "http://user:pass@host:8080/"
                             logs in like the server's -c user:pass
          --timeout SECONDS  give up after this long, default {ToolOptions.DefaultTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}
          -h, --help         this help

        Example (an Octolapse "before snapshot" script; /run needs root, so use sudo
        or give both the server and this command a --pause-file in a group-writable
        folder):
          sudo mjpg_streamer pause && libcamera-still -o /run/snap.jpg; sudo mjpg_streamer resume

        """;

    /// <summary>The verb's entry: parse, run, report. Exceptions are turned into exit codes by <see cref="ToolCommands"/>.</summary>
    public static int Run(PauseVerb verb, IReadOnlyList<string> args)
    {
        var options = ToolOptions.Parse(args);
        if (options.Help)
        {
            Console.Out.Write(Help);
            return 0;
        }

        RunAsync(verb, options, TimeProvider.System).GetAwaiter().GetResult();
        return 0;
    }

    /// <summary>
    /// Does the work; throws <see cref="ToolFailureException"/> (after undoing its own lock file) on failure, and
    /// OperationCanceledException (after the same clean-up) when <paramref name="cancellationToken"/> fires (a signal).
    /// </summary>
    public static async Task RunAsync(PauseVerb verb, ToolOptions options, TimeProvider time, HttpMessageHandler? handler = null, CancellationToken cancellationToken = default)
    {
        // One limit for the whole command, started before anything else.
        using var limit = new CancellationTokenSource(options.Timeout, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(limit.Token, cancellationToken);
        using var client = new ServerStateClient(options.BaseUrl, handler);
        if (verb == PauseVerb.Pause)
        {
            var created = CreateLockFile(options.PauseFile);
            try
            {
                await WaitForAsync(InputStatus.Released, options, client, time, either.Token, limit.Token).ConfigureAwait(false);
            }
            catch
            {
                if (created)
                {
                    TryDelete(options.PauseFile);
                }

                throw;
            }
        }
        else
        {
            DeleteLockFile(options.PauseFile);
            await WaitForAsync(InputStatus.Streaming, options, client, time, either.Token, limit.Token).ConfigureAwait(false);
        }
    }

    private static async Task WaitForAsync(string wanted, ToolOptions options, ServerStateClient client, TimeProvider time, CancellationToken cancellationToken, CancellationToken timeLimit)
    {
        IReadOnlyList<InputStatus>? last = null;
        try
        {
            while (true)
            {
                last = await client.FetchAsync(cancellationToken).ConfigureAwait(false);
                if (last.All(input => input.State == wanted))
                {
                    return;
                }

                await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (timeLimit.IsCancellationRequested)
        {
            throw new ToolFailureException(TimeoutMessage(wanted, options, client.StateUrl, last));
        }
    }

    /// <summary>Names every input that is not there yet, with its state and reason.</summary>
    internal static string TimeoutMessage(string wanted, ToolOptions options, Uri stateUrl, IReadOnlyList<InputStatus>? last)
    {
        var after = $"timed out after {options.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s";
        if (last is null)
        {
            return $"{after} waiting for an answer from {stateUrl}";
        }

        var waiting = last.Where(input => input.State != wanted).ToList();
        var message = $"{after}, not {wanted}: {string.Join("; ", waiting.Select(input => input.Describe()))}";
        if (wanted == InputStatus.Released && waiting.All(input => input.State == InputStatus.Streaming))
        {
            // Nothing reacted at all: most likely the server watches another file.
            message += $" (does the server watch --pause-file {options.PauseFile}?)";
        }

        return message;
    }

    /// <summary>Like touch: creates the file if missing and never truncates one. True if this call created it.</summary>
    private static bool CreateLockFile(string path)
    {
        if (File.Exists(path))
        {
            return false;
        }

        try
        {
            using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Someone else created it in between: their pause, not ours to remove.
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            throw new ToolFailureException(
                $"cannot create {path}: permission denied; run it with sudo, or give the server and this command a --pause-file in a group-writable folder");
        }
        catch (DirectoryNotFoundException)
        {
            throw new ToolFailureException($"cannot create {path}: the folder {Path.GetDirectoryName(Path.GetFullPath(path))} does not exist");
        }
        catch (IOException e)
        {
            throw new ToolFailureException($"cannot create {path}: {ToolText.OneLine(e.Message)}");
        }
    }

    private static void DeleteLockFile(string path)
    {
        try
        {
            // Missing (or its folder missing) is fine: nothing is paused by this file then.
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (UnauthorizedAccessException)
        {
            throw new ToolFailureException(
                $"cannot remove {path}: permission denied; run it with sudo, or give the server and this command a --pause-file in a group-writable folder");
        }
        catch (IOException e)
        {
            throw new ToolFailureException($"cannot remove {path}: {ToolText.OneLine(e.Message)}");
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The failure being reported matters more; the file is ours and was writable a moment ago.
        }
    }
}
