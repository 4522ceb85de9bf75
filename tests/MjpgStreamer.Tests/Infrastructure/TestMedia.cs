using System.Diagnostics;

namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>
/// Test material made once per run in a temp folder: 50 ffmpeg testsrc JPEGs of 640x480 (as the
/// transcripts' frames), and a www folder with pages and a symlink pointing outside it.
/// </summary>
public static class TestMedia
{
    private static readonly Lazy<string> Root = new(CreateRoot, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string FramesFolder => Path.Combine(Root.Value, "frames");

    public static string WwwFolder => Path.Combine(Root.Value, "www");

    /// <summary>The file www/snap.jpg links to (outside www, as the pause fork's /run/snap.jpg).</summary>
    public static string SymlinkTarget => Path.Combine(Root.Value, "outside", "snap.jpg");

    public const string IndexHtml = "<html><body><img src=\"?action=stream\"></body></html>\n";

    public const string StreamSimpleHtml = "<html><body><img src=\"/?action=stream\" /></body></html>\n";

    public static string NewTempFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "mjpg-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        return path;
    }

    private static string CreateRoot()
    {
        var root = NewTempFolder();
        var frames = Path.Combine(root, "frames");
        Directory.CreateDirectory(frames);
        Run("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=640x480:rate=20", "-frames:v", "50", "-q:v", "5", Path.Combine(frames, "frame_%03d.jpg"));

        var www = Path.Combine(root, "www");
        Directory.CreateDirectory(www);
        File.WriteAllText(Path.Combine(www, "index.html"), IndexHtml);
        File.WriteAllText(Path.Combine(www, "stream_simple.html"), StreamSimpleHtml);
        File.WriteAllText(Path.Combine(www, "style.css"), "body { color: black; }\n");
        Directory.CreateDirectory(Path.Combine(www, "sub"));
        File.WriteAllText(Path.Combine(www, "sub", "inner.html"), "inner\n");

        var outside = Path.Combine(root, "outside");
        Directory.CreateDirectory(outside);
        File.Copy(Path.Combine(frames, "frame_001.jpg"), Path.Combine(outside, "snap.jpg"));
        File.WriteAllText(Path.Combine(outside, "secret.txt"), "secret\n");
        File.CreateSymbolicLink(Path.Combine(www, "snap.jpg"), Path.Combine(outside, "snap.jpg"));
        return root;
    }

    public static void Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {stderr}");
        }
    }
}
