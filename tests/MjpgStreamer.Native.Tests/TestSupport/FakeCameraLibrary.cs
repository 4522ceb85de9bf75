using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MjpgStreamer.Native.Tests.TestSupport;

/// <summary>
/// Every V4L2 call of this test process goes to the fake camera library (tests/native/fakecam), loaded
/// through MJPG_STREAMER_V4L2_LIB exactly as the server loads it. It is set before any test runs, since
/// the library is loaded once per process; paths that are not fake devices pass through to libc, so
/// tests of plain files behave as without it. Devices: a UVC metadata node first, then two cameras.
/// </summary>
internal static partial class FakeCameraLibrary
{
    public static string Folder { get; } = Path.Combine(Path.GetTempPath(), $"mjpg-native-fakecam-{Environment.ProcessId}");

    public static string MetadataNode => Path.Combine(Folder, "video0");

    public static string Camera => Path.Combine(Folder, "video1");

    public static string SecondCamera => Path.Combine(Folder, "video2");

    [ModuleInitializer]
    internal static void Initialize()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "tests", "native", "fakecam", "Makefile")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        if (dir is null)
        {
            return;
        }

        var folder = Path.Combine(dir, "tests", "native", "fakecam");
        using (var make = Process.Start(new ProcessStartInfo("make", ["-s", "-C", folder]) { UseShellExecute = false })!)
        {
            make.WaitForExit();
            if (make.ExitCode != 0)
            {
                return;
            }
        }

        Directory.CreateDirectory(Folder);
        Set("MJPG_STREAMER_V4L2_LIB", Path.Combine(folder, "libfakecam.so"));
        Set("FAKECAM_DEVICES", string.Join(':', MetadataNode, Camera, SecondCamera));
        Set("FAKECAM_META_DEVICES", MetadataNode);
    }

    // .NET keeps its own copy of the environment on Unix; the fake reads libc's with getenv().
    private static void Set(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        _ = SetEnv(name, value, 1);
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
