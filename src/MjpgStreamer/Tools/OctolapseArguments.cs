using MjpgStreamer.Core.Options;

namespace MjpgStreamer.Tools;

/// <summary>
/// The arguments Octolapse gives a snapshot script: $1 snapshot number, $2 delay seconds (Octolapse has waited already),
/// $3 data directory, $4 snapshot directory (may not exist yet), $5 file name, $6 full path of the snapshot it expects,
/// $7 camera name (missing before Octolapse added it).
/// </summary>
internal sealed record OctolapseArguments(string SnapshotDirectory, string SnapshotPath, string? CameraName)
{
    private static readonly string[] Names =
    [
        "$1 (snapshot number)", "$2 (delay seconds)", "$3 (data directory)", "$4 (snapshot directory)",
        "$5 (snapshot file name)", "$6 (snapshot full path)", "$7 (camera name)",
    ];

    public static OctolapseArguments Parse(IReadOnlyList<string> words)
    {
        if (words.Count < 6)
        {
            throw new UsageException(
                $"expects Octolapse's script arguments (\"$@\"); missing {string.Join(", ", Names[words.Count..6])}");
        }

        if (words.Count > 7)
        {
            throw new UsageException($"unexpected argument '{words[7]}' after Octolapse's 7 script arguments");
        }

        if (words[5].Length == 0)
        {
            throw new UsageException("$6 (snapshot full path) is empty");
        }

        return new OctolapseArguments(words[3], words[5], words.Count > 6 ? words[6] : null);
    }

    /// <summary>Creates $4 and the folder of $6 (usually the same) as Octolapse's own example script does.</summary>
    public void CreateFolders()
    {
        foreach (var folder in new[] { SnapshotDirectory, Path.GetDirectoryName(Path.GetFullPath(SnapshotPath)) })
        {
            if (string.IsNullOrEmpty(folder))
            {
                continue;
            }

            try
            {
                Directory.CreateDirectory(folder);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ToolFailureException($"cannot create the folder {folder}: {ToolText.OneLine(e.Message)}");
            }
        }
    }
}
