using System.Diagnostics;

namespace MjpgStreamer.Native.Tests.TestSupport;

/// <summary>Real JPEG files made once per test run by ffmpeg's test pattern (each frame differs).</summary>
internal static class TestJpegs
{
    private static readonly Lazy<byte[][]> Generated = new(Generate);

    public static IReadOnlyList<byte[]> Frames => Generated.Value;

    private static byte[][] Generate()
    {
        var dir = Directory.CreateTempSubdirectory("mjpg-testjpegs-");
        try
        {
            var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-frames:v", "6", Path.Join(dir.FullName, "frame_%03d.jpg") })
            {
                start.ArgumentList.Add(arg);
            }

            using var ffmpeg = Process.Start(start)!;
            var errors = ffmpeg.StandardError.ReadToEnd();
            if (!ffmpeg.WaitForExit(30_000) || ffmpeg.ExitCode != 0)
            {
                throw new InvalidOperationException($"ffmpeg failed: {errors}");
            }

            return [.. Directory.GetFiles(dir.FullName).Order(StringComparer.Ordinal).Select(File.ReadAllBytes)];
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
