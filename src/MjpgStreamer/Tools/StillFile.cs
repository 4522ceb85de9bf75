using System.Security.Cryptography;
using MjpgStreamer.Core.Mjpeg;

namespace MjpgStreamer.Tools;

/// <summary>
/// The still's way to OUTPUT: a temporary file next to it (same folder, so the rename is atomic), flushed to disk, then
/// renamed over OUTPUT. Whoever reads OUTPUT (Octolapse) sees the old file or the whole new one, never a part. Disposing
/// without <see cref="Commit"/> removes the temporary file.
/// </summary>
internal sealed class StillFile : IDisposable
{
    private bool _committed;

    private StillFile(string output, string tempPath)
    {
        Output = output;
        TempPath = tempPath;
    }

    public string Output { get; }

    /// <summary>".NAME.tmp-RANDOM.jpg" in OUTPUT's folder: hidden, and ending in .jpg for tools that pick the format by name.</summary>
    public string TempPath { get; }

    /// <summary>
    /// Picks the temporary name and creates it, which also proves the folder is writable before any camera is paused.
    /// </summary>
    public static StillFile Reserve(string output)
    {
        var full = Path.GetFullPath(output);
        if (Directory.Exists(full))
        {
            throw new ToolFailureException($"cannot write {output}: it is a folder");
        }

        var folder = Path.GetDirectoryName(full)!;
        var temp = Path.Combine(folder, $".{Path.GetFileName(full)}.tmp-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}.jpg");
        try
        {
            using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        }
        catch (DirectoryNotFoundException)
        {
            throw new ToolFailureException($"cannot write {output}: the folder {folder} does not exist");
        }
        catch (UnauthorizedAccessException)
        {
            throw new ToolFailureException($"cannot write {output}: permission denied in {folder}");
        }
        catch (IOException e)
        {
            throw new ToolFailureException($"cannot write {output}: {ToolText.OneLine(e.Message)}");
        }

        return new StillFile(output, temp);
    }

    /// <summary>Removes the reserved file, so a command given {} creates it itself (some refuse to overwrite).</summary>
    public void Vacate() => TryDelete(TempPath);

    /// <summary>Writes <paramref name="jpeg"/> to the temporary file, flushes it to disk and renames it over OUTPUT.</summary>
    public void Commit(ReadOnlySpan<byte> jpeg)
    {
        try
        {
            using (var stream = new FileStream(TempPath, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(jpeg);
                stream.Flush(flushToDisk: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ToolFailureException($"cannot write {Output}: {ToolText.OneLine(e.Message)}");
        }

        Rename();
    }

    /// <summary>
    /// Checks what a command wrote to the temporary file is a JPEG (<paramref name="program"/> names it in the failure),
    /// flushes it to disk and renames it over OUTPUT.
    /// </summary>
    public void CommitWritten(string program)
    {
        try
        {
            byte[] bytes;
            try
            {
                // Read-write so the flush reaches the disk; a file the command made another user's can only be read.
                using var stream = new FileStream(TempPath, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
                bytes = ReadAll(stream);
                stream.Flush(flushToDisk: true);
            }
            catch (UnauthorizedAccessException)
            {
                bytes = File.ReadAllBytes(TempPath);
            }

            if (!JpegInfo.HasSoiAndEoi(bytes))
            {
                throw new ToolFailureException(bytes.Length == 0
                    ? $"{program} wrote an empty file"
                    : $"{program} wrote {bytes.Length} bytes that are not a JPEG");
            }
        }
        catch (FileNotFoundException)
        {
            throw new ToolFailureException($"{program} exited 0 but wrote no file where {{}} pointed");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ToolFailureException($"cannot read what {program} wrote: {ToolText.OneLine(e.Message)}");
        }

        Rename();
    }

    public void Dispose()
    {
        if (!_committed)
        {
            TryDelete(TempPath);
        }
    }

    private static byte[] ReadAll(FileStream stream)
    {
        if (stream.Length > StillClient.MaxStillBytes)
        {
            throw new ToolFailureException($"{stream.Name} is larger than {StillClient.MaxStillBytes / (1024 * 1024)} MB; that is not a still");
        }

        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private void Rename()
    {
        try
        {
            // rename(2): atomic within one folder, replaces OUTPUT if it exists.
            File.Move(TempPath, Output, overwrite: true);
            _committed = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ToolFailureException($"cannot write {Output}: {ToolText.OneLine(e.Message)}");
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
            // The failure being reported matters more.
        }
    }
}
