using System.Globalization;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Sources.Folder;

namespace MjpgStreamer.Native.Sources;

/// <summary>
/// input_file.so, the original's "FILE input plugin": its options (-d -f -r -n -e), its plugin table entry,
/// and the thread a run happens on. By default it shows files as they are written into the folder
/// (<see cref="FolderWatchMode"/>); with -e it loops over the .jpg files present at start
/// (<see cref="FolderExistingMode"/>). Unlike the original it checks every file (a broken one is skipped,
/// not streamed), takes the newest of several files that arrived during the delay, and survives the
/// folder going away.
/// </summary>
public sealed class FolderSource : IFrameSource
{
    private const string PluginName = "input_file.so";
    private const string PluginDisplayName = "FILE input plugin";
    private const double MaxDelaySeconds = 86_400;

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
        (options, _) => Create(options))
    {
        Summary = "JPEG files from a folder (-f DIR -d SECONDS -e -r -n NAME)",
    };

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
                Run(context, cancellation);
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

    /// <summary>One run on the calling thread; returns on cancellation with every descriptor closed.</summary>
    private void Run(SourceContext context, CancellationToken cancellation)
    {
        using var pacer = new FolderPacer(context.Time, Delay, cancellation);
        var logger = context.Logger;
        FolderLog.Folder(logger, Folder);
        var delay = Delay.TotalSeconds.ToString("F4", CultureInfo.InvariantCulture);
        FolderLog.Delay(logger, delay);
        FolderLog.Remove(logger, Remove ? "yes, delete" : "no, do not delete");
        FolderLog.NameFilter(logger, FileName ?? "-no filter for certain filename set-");
        FolderLog.Mode(logger, Existing ? "loop over the existing .jpg files" : "watch for new files");
        var files = new FolderFileHandler(context, Remove);
        if (Existing)
        {
            new FolderExistingMode(Folder, Remove, context, pacer, files).Run();
        }
        else
        {
            new FolderWatchMode(Folder, FileName, Remove, context, pacer, files).Run();
        }
    }
}
