using System.Text;

namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>
/// The fake camera library (tests/native/fakecam) with devices of its own in a fresh temp folder, so
/// tests that unplug a camera do not disturb each other. The server loads it through
/// MJPG_STREAMER_V4L2_LIB, exactly as the production code loads libc.
/// </summary>
public sealed class FakeCamera : IDisposable
{
    private static readonly Lazy<string> Library = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    public FakeCamera(params string[] names)
    {
        Folder = TestMedia.NewTempFolder();
        Devices = [.. (names.Length == 0 ? ["video0"] : names).Select(n => Path.Combine(Folder, n))];
    }

    public string Folder { get; }

    public IReadOnlyList<string> Devices { get; }

    public string Device => Devices[0];

    public static string LibraryPath => Library.Value;

    /// <summary>The server's environment: the fake, its devices, and any fault settings.</summary>
    public Dictionary<string, string> Environment(params (string Key, string Value)[] extra)
    {
        var environment = new Dictionary<string, string>
        {
            ["MJPG_STREAMER_V4L2_LIB"] = LibraryPath,
            ["FAKECAM_DEVICES"] = string.Join(':', Devices),
        };
        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }

        return environment;
    }

    /// <summary>The fake's COM segment ("FAKECAM frame=7 size=640x480 ... brightness=0 ..."), as key/value pairs; null if absent.</summary>
    public static Dictionary<string, string>? ReadComment(byte[] jpeg)
    {
        var pos = 2;
        while (pos + 4 <= jpeg.Length && jpeg[pos] == 0xFF)
        {
            var marker = jpeg[pos + 1];
            var length = (jpeg[pos + 2] << 8) | jpeg[pos + 3];
            if (marker == 0xDA)
            {
                break;
            }

            if (marker == 0xFE)
            {
                var text = Encoding.ASCII.GetString(jpeg, pos + 4, length - 2).TrimEnd('\0');
                if (text.StartsWith("FAKECAM ", StringComparison.Ordinal))
                {
                    return text[8..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
                        .Select(pair => pair.Split('=', 2))
                        .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
                }
            }

            pos += 2 + length;
        }

        return null;
    }

    /// <summary>Descriptors of the process that point at this camera's devices (its /proc/PID/fd).</summary>
    public int OpenDescriptors(int pid)
    {
        var count = 0;
        foreach (var entry in new DirectoryInfo($"/proc/{pid}/fd").EnumerateFileSystemInfos())
        {
            try
            {
                var target = entry.LinkTarget ?? "";
                count += target.StartsWith(Folder, StringComparison.Ordinal) ? 1 : 0;
            }
            catch (IOException)
            {
                // The descriptor closed while we looked.
            }
        }

        return count;
    }

    /// <summary>The process's mappings of camera buffers (the fake's buffers are memfds, "/memfd:fakecam-buffer (deleted)").</summary>
    public static int BufferMappings(int pid) =>
        File.ReadAllLines($"/proc/{pid}/maps").Count(line => line.Contains(" rw-s ", StringComparison.Ordinal) && line.EndsWith("/memfd:fakecam-buffer (deleted)", StringComparison.Ordinal));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Build()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "tests", "native", "fakecam", "Makefile")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        if (dir is null)
        {
            throw new InvalidOperationException("tests/native/fakecam not found above " + AppContext.BaseDirectory);
        }

        var folder = Path.Combine(dir, "tests", "native", "fakecam");
        var make = ProgramRun.RunToolAsync("make", "-s", "-C", folder).GetAwaiter().GetResult();
        if (make.ExitCode != 0)
        {
            throw new InvalidOperationException($"make -C {folder} failed: {make.Stderr}");
        }

        return Path.Combine(folder, "libfakecam.so");
    }
}
