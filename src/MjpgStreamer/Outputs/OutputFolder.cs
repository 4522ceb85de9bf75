using MjpgStreamer.Core.Options;

namespace MjpgStreamer.Outputs;

/// <summary>
/// The folder an output_file or output_udp writes into (-f): names from requests (?action=take, the take command,
/// a datagram) are plain names inside it, never paths; every file is written to a temporary name in the folder and
/// renamed over its own, so a reader never sees half a picture and a symbolic link of that name is replaced, not
/// followed (nothing is ever written outside the folder).
/// </summary>
internal sealed class OutputFolder
{
    /// <summary>rw-r--r--, as the original's open(…, 0644) (the umask applies).</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const int MaxNameBytes = 255;

    private static long s_temporaries;

    public OutputFolder(string path)
    {
        // The original removes a trailing '/'; the full path makes the log and /state say which folder.
        Path = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path));
    }

    public string Path { get; }

    /// <summary>The folder at option time: it must exist (checked again, and written to, at start).</summary>
    public static OutputFolder FromOption(string plugin, string? option, string fallback)
    {
        var given = option ?? fallback;
        if (given.Length == 0)
        {
            throw new UsageException($"{plugin}: -f needs a folder");
        }

        var folder = new OutputFolder(given);
        if (!Directory.Exists(folder.Path))
        {
            throw new StartupException($"{plugin}: folder '{folder.Path}' does not exist");
        }

        return folder;
    }

    /// <summary>At start: the folder exists and a file can be made in it (as root, mode bits say nothing: we try).</summary>
    public void CheckWritable(string plugin)
    {
        if (!Directory.Exists(Path))
        {
            throw new StartupException($"{plugin}: folder '{Path}' does not exist");
        }

        var probe = TemporaryName();
        try
        {
            using (new FileStream(probe, CreateOptions(System.IO.FileMode.CreateNew)))
            {
            }

            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"{plugin}: cannot write into folder '{Path}': {e.Message}");
        }
    }

    /// <summary>
    /// Why <paramref name="name"/> (from a request, %-decoding done) is not a plain file name inside the folder, or
    /// null when it is: no '/', no "..", no NUL, not empty, at most 255 bytes.
    /// </summary>
    public static string? Refusal(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "no file name given";
        }

        if (name.Contains("..", StringComparison.Ordinal))
        {
            return $"'{Shown(name)}' is not a plain file name: '..' is not allowed, files are saved in the output folder only";
        }

        if (name.Contains('/', StringComparison.Ordinal))
        {
            return $"'{Shown(name)}' is not a plain file name: '/' is not allowed, files are saved in the output folder only";
        }

        if (name.Contains('\0', StringComparison.Ordinal) || name.Any(char.IsControl))
        {
            return "the file name contains control characters";
        }

        if (name == "." || System.Text.Encoding.UTF8.GetByteCount(name) > MaxNameBytes)
        {
            return $"'{Shown(name)}' is not a usable file name";
        }

        return null;
    }

    /// <summary>The full path of a name <see cref="Refusal"/> accepted (or one of ours).</summary>
    public string PathOf(string name) => System.IO.Path.Join(Path, name);

    /// <summary>
    /// Writes <paramref name="data"/> as <paramref name="name"/> in the folder: to a temporary name first, then renamed
    /// over the name (atomic; a symbolic link of that name is replaced). Throws IOException or
    /// UnauthorizedAccessException; nothing is left behind when it does. Returns the file's path.
    /// </summary>
    public string Write(string name, ReadOnlySpan<byte> data)
    {
        var path = PathOf(name);
        var temporary = TemporaryName();
        try
        {
            using (var file = new FileStream(temporary, CreateOptions(System.IO.FileMode.CreateNew)))
            {
                file.Write(data);
            }

            File.Move(temporary, path, overwrite: true);
            return path;
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Unbuffered writing of a file created with <see cref="FileMode"/>.</summary>
    public static FileStreamOptions CreateOptions(System.IO.FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        return options;
    }

    /// <summary>A name in the folder no picture pattern matches (a leading dot), unique in this process.</summary>
    public string TemporaryName() =>
        PathOf($".mjpg_streamer-{Environment.ProcessId}-{Interlocked.Increment(ref s_temporaries)}.tmp");

    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static string Shown(string name) => name.Length > 64 ? name[..64] + "…" : name;
}
