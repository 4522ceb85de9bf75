namespace MjpgStreamer.Native.Sources.Raspicam;

/// <summary>
/// Which rpicam-apps programs input_raspicam runs and where it finds them: the rpicam-* name first, then the
/// libcamera-* name that older Raspberry Pi OS releases install instead.
/// </summary>
internal static class RaspicamPrograms
{
    public static readonly string[] Video = ["rpicam-vid", "libcamera-vid"];

    public static readonly string[] Still = ["rpicam-still", "libcamera-still"];

    /// <summary>
    /// The first of <paramref name="names"/> found as an executable file in <paramref name="searchPath"/> (a
    /// PATH-like list; null: the process's PATH), or null. Looked up on every run so that installing rpicam-apps
    /// while the server runs is picked up without a restart.
    /// </summary>
    public static string? Find(IReadOnlyList<string> names, string? searchPath)
    {
        var path = searchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (var name in names)
        {
            foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(dir, name);
                try
                {
                    if (!OperatingSystem.IsWindows() && File.Exists(candidate)
                        && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
                    {
                        return candidate;
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                }
            }
        }

        return null;
    }
}
