using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Pause;
using MjpgStreamer.Native.Sources;

namespace MjpgStreamer.Tools;

/// <summary>
/// "mjpg_streamer still OUTPUT" and "mjpg_streamer octolapse-still ARGS": a full-resolution still written atomically to a
/// file, either from the server (GET ?action=still) or from a still program run while the server has released the
/// camera (--command: pause, run, always resume). Made for Octolapse's script cameras, so success prints nothing and a
/// failure is one line on stderr and exit 1, within --timeout.
/// </summary>
internal static class StillCommand
{
    /// <summary>The resume after --command gets what is left of --timeout, but at least this (the camera must come back).</summary>
    public static readonly TimeSpan ResumeAtLeast = TimeSpan.FromSeconds(2);

    private static string DefaultTimeoutText => ToolOptions.DefaultTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture);

    public static string Help => $$"""
        Usage: mjpg_streamer still OUTPUT.jpg [--url URL] [--timeout SECONDS] [--input N]
               mjpg_streamer still OUTPUT.jpg --command "PROGRAM ARGS" [--pause-file PATH]
                                              [--url URL] [--timeout SECONDS]

        Writes a full-resolution still to OUTPUT.jpg. The file is written under a
        temporary name in the same folder and renamed at the end, so OUTPUT.jpg is
        either the old file or the whole new one, never a part.

        Without --command the server takes the still (GET ?action=still).
        With --command the server releases the camera (as 'mjpg_streamer pause'),
        the command takes the still, and the camera is always resumed afterwards (as
        'mjpg_streamer resume'), also when the command fails, hangs (it is killed)
        or this command gets SIGINT/SIGTERM.

        Success prints nothing and exits 0. A failure prints one line on stderr and
        exits 1; OUTPUT.jpg is then left as it was.

          --url URL          the server's base address, default {{ToolOptions.DefaultUrl}};
                             "http://host/webcam/" asks http://host/webcam/?action=still;
                             "http://user:pass@host:8080/" logs in like the server's -c
          --timeout SECONDS  give up after this long, default {{DefaultTimeoutText}}; with --command
                             the resume gets what is left, at least {{ResumeAtLeast.TotalSeconds.ToString(CultureInfo.InvariantCulture)}} s
          --input N          the still of input N (?action=still_N); without it, input 0
          --command "..."    run this program instead, without a shell: words split on
                             spaces, double quotes group words; {} is replaced by the
                             file to write; without {} the program's stdout is the JPEG.
                             Its stdout and stderr are not shown; when it fails, the
                             last line of its stderr is in the error line
          --pause-file PATH  with --command: the file the server watches (its own
                             --pause-file), default {{PauseDefaults.LockFile}}
          -h, --help         this help

        Examples:
          mjpg_streamer still /tmp/snap.jpg --url http://127.0.0.1:8080/
          mjpg_streamer still /tmp/snap.jpg --command "rpicam-still -o {} --immediate" --timeout 15

        """;

    public static string OctolapseHelp => $"""
        Usage: mjpg_streamer octolapse-still [OPTIONS] "$@"

        For an Octolapse camera of type "script": its snapshot acquire script passes
        its arguments on, and the still is written to the path Octolapse expects ($6),
        creating the snapshot folder ($4) if needed. Example script:

          #!/bin/sh
          exec /opt/mjpg-streamer/mjpg_streamer octolapse-still --url http://127.0.0.1:8080/ "$@"

        Octolapse's arguments: $1 snapshot number, $2 delay, $3 data folder,
        $4 snapshot folder, $5 file name, $6 full path, $7 camera name (older
        versions leave out $7).

        The OPTIONS come first and are those of 'mjpg_streamer still' (--url,
        --timeout, --input, --command, --pause-file); see 'mjpg_streamer still --help'.
        Success prints nothing and exits 0 (Octolapse fails a script that writes to
        stderr); a failure prints one line on stderr and exits 1.

        """;

    /// <summary>"mjpg_streamer still OUTPUT [OPTIONS]".</summary>
    public static int Run(IReadOnlyList<string> args)
    {
        var options = StillOptions.Parse(args, optionsFirst: false);
        if (options.Help)
        {
            Console.Out.Write(Help);
            return 0;
        }

        var output = options.Positionals switch
        {
            [] => throw new UsageException("missing the output file, as in: mjpg_streamer still OUTPUT.jpg"),
            [{ Length: 0 }] => throw new UsageException("the output file name is empty"),
            [var one] => one,
            [_, var extra, ..] => throw new UsageException($"unexpected argument '{extra}'"),
        };

        Capture(options, output, beforeWriting: null);
        return 0;
    }

    /// <summary>"mjpg_streamer octolapse-still [OPTIONS] $1 ... $7".</summary>
    public static int RunOctolapse(IReadOnlyList<string> args)
    {
        var options = StillOptions.Parse(args, optionsFirst: true);
        if (options.Help)
        {
            Console.Out.Write(OctolapseHelp);
            return 0;
        }

        var octolapse = OctolapseArguments.Parse(options.Positionals);
        Capture(options, octolapse.SnapshotPath, octolapse.CreateFolders);
        return 0;
    }

    /// <summary>
    /// Splits --command like the server's plugin arguments (spaces, double quotes group); usage errors for an
    /// unbalanced quote or nothing to run.
    /// </summary>
    public static IReadOnlyList<string> SplitCommand(string command)
    {
        IReadOnlyList<string> words;
        try
        {
            words = ArgumentSplitter.SplitWords(command);
        }
        catch (UsageException)
        {
            throw new UsageException($"--command has an unbalanced double quote: {command}");
        }

        return words.Count > 0 && words[0].Length > 0 ? words : throw new UsageException("--command needs a command line");
    }

    /// <summary>Every {} replaced by <paramref name="path"/>; ToFile tells whether there was one (else stdout is the JPEG).</summary>
    public static (IReadOnlyList<string> Argv, bool ToFile) Expand(IReadOnlyList<string> words, string path) =>
        ([.. words.Select(word => word.Replace("{}", path, StringComparison.Ordinal))],
         words.Any(word => word.Contains("{}", StringComparison.Ordinal)));

    private static void Capture(StillOptions options, string output, Action? beforeWriting)
    {
        // Before anything is touched: a bad --command is a usage error.
        var words = options.Command is { } command ? SplitCommand(command) : null;
        using var interrupt = new ToolInterrupt();
        beforeWriting?.Invoke();
        var task = words is null
            ? FromServerAsync(options, output, TimeProvider.System, interrupt)
            : FromCommandAsync(options, words, output, TimeProvider.System, interrupt);
        task.GetAwaiter().GetResult();
    }

    private static async Task FromServerAsync(StillOptions options, string output, TimeProvider time, ToolInterrupt interrupt)
    {
        using var limit = new CancellationTokenSource(options.Timeout, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(limit.Token, interrupt.Token);
        using var file = StillFile.Reserve(output);
        using var client = new StillClient(options.BaseUrl, options.Input);
        byte[] jpeg;
        try
        {
            jpeg = await client.FetchAsync(either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (either.IsCancellationRequested)
        {
            throw interrupt.Signal is { } signal
                ? new ToolFailureException($"interrupted by {signal}")
                : new ToolFailureException($"timed out after {Seconds(options.Timeout)} s waiting for a still from {client.StillUrl}");
        }

        file.Commit(jpeg);
    }

    private static async Task FromCommandAsync(StillOptions options, IReadOnlyList<string> words, string output, TimeProvider time, ToolInterrupt interrupt)
    {
        var started = time.GetTimestamp();
        TimeSpan Left(TimeSpan atLeast)
        {
            var left = options.Timeout - time.GetElapsedTime(started);
            return left > atLeast ? left : atLeast;
        }

        using var file = StillFile.Reserve(output);
        var (argv, toFile) = Expand(words, file.TempPath);
        var program = Path.GetFileName(argv[0]);

        try
        {
            await PauseCommand.RunAsync(PauseVerb.Pause, options.PauseOptions(options.Timeout), time, cancellationToken: interrupt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (interrupt.Signal is { } signal)
        {
            // The pause has removed its own lock file.
            throw new ToolFailureException($"interrupted by {signal} while pausing");
        }
        catch (ToolFailureException e)
        {
            throw new ToolFailureException($"pause failed: {e.Message}");
        }

        // From here on the camera is released: whatever happens, resume.
        string? failure;
        CommandRun.Outcome? outcome = null;
        using (var limit = new CancellationTokenSource(Left(TimeSpan.FromMilliseconds(1)), time))
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(limit.Token, interrupt.Token))
        {
            try
            {
                if (toFile)
                {
                    file.Vacate();
                }

                outcome = await RunCommandAsync(argv, keepStdout: !toFile, time, stop.Token).ConfigureAwait(false);
                failure = Judge(outcome, program, toFile, options.Timeout);
            }
            catch (ToolFailureException e)
            {
                failure = e.Message;
            }
        }

        string? resumeFailure = null;
        try
        {
            // Not cancelled by a signal: leaving the camera released would be the worse outcome.
            await PauseCommand.RunAsync(PauseVerb.Resume, options.PauseOptions(Left(ResumeAtLeast)), time).ConfigureAwait(false);
        }
        catch (ToolFailureException e)
        {
            resumeFailure = e.Message;
        }

        if (interrupt.Signal is { } interrupted)
        {
            throw new ToolFailureException($"interrupted by {interrupted}{(resumeFailure is null ? "" : $"; resume failed: {resumeFailure}")}");
        }

        if (failure is not null)
        {
            throw new ToolFailureException($"{failure}{(resumeFailure is null ? "" : $"; resume failed: {resumeFailure}")}");
        }

        if (resumeFailure is not null)
        {
            throw new ToolFailureException($"{program} took the still, but resume failed: {resumeFailure}");
        }

        if (toFile)
        {
            file.CommitWritten(program);
        }
        else if (!JpegInfo.HasSoiAndEoi(outcome!.Stdout))
        {
            throw new ToolFailureException(outcome.Stdout.Length == 0
                ? $"{program} wrote nothing to stdout (put {{}} in --command where the program expects the file name)"
                : $"{program} wrote {outcome.Stdout.Length} bytes to stdout that are not a JPEG");
        }
        else
        {
            file.Commit(outcome.Stdout);
        }
    }

    /// <summary>The failure of a finished run, or null when it exited 0 (the JPEG is checked after the resume).</summary>
    private static string? Judge(CommandRun.Outcome outcome, string program, bool toFile, TimeSpan timeout)
    {
        var said = outcome.LastError is { } line ? $": {line}" : "";
        if (outcome.ExitCode is not { } code)
        {
            return $"timed out after {Seconds(timeout)} s: {program} did not finish and was killed{said}";
        }

        if (code != 0)
        {
            return $"{program} exited with code {code}{said}";
        }

        return !toFile && outcome.StdoutTooLarge
            ? $"{program} wrote more than {StillClient.MaxStillBytes / (1024 * 1024)} MB to stdout; that is not a still"
            : null;
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString(CultureInfo.InvariantCulture);

    private static async Task<CommandRun.Outcome> RunCommandAsync(IReadOnlyList<string> argv, bool keepStdout, TimeProvider time, CancellationToken stop)
    {
        try
        {
            // No log: this verb prints nothing but its one error line (Octolapse fails a script that writes to stderr).
            return await CommandRun.RunAsync(argv, keepStdout, "still", NullLogger.Instance, time, stop).ConfigureAwait(false);
        }
        catch (ChildStartException e)
        {
            throw new ToolFailureException(e.Message);
        }
    }
}
