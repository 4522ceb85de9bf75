using System.Diagnostics;

namespace MjpgStreamer.Hosting;

/// <summary>
/// -b: the program starts itself again as a child that detaches (new session, stdio on /dev/null).
/// The parent waits until the child reports that it listens (or failed) through a small status file,
/// prints the child's pid and exits 0, or prints the child's reason and exits 1.
/// </summary>
internal static class Background
{
    public const string StatusFileVariable = "MJPG_STREAMER_BACKGROUND_STATUS";

    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(30);

    /// <summary>True in the child started by -b.</summary>
    public static string? ChildStatusFile { get; } = TakeStatusFileVariable();

    /// <summary>Read once and removed, so the programs an input starts do not inherit it.</summary>
    private static string? TakeStatusFileVariable()
    {
        var path = Environment.GetEnvironmentVariable(StatusFileVariable);
        Environment.SetEnvironmentVariable(StatusFileVariable, null);
        return path;
    }

    public static int LaunchChild(IReadOnlyList<string> args)
    {
        var statusFile = Path.Combine(Path.GetTempPath(), $"mjpg_streamer-{Environment.ProcessId}-{Guid.NewGuid():N}.status");
        var start = new ProcessStartInfo(Environment.ProcessPath ?? throw new InvalidOperationException("cannot find my own executable"))
        {
            UseShellExecute = false,
            WorkingDirectory = Environment.CurrentDirectory,

            // Never hand the caller's terminal or pipes to the child: the runtime duplicates the standard
            // descriptors at start-up, before the child can point them at /dev/null, and a caller reading our
            // output to its end (a script's $(...)) would then wait for the daemon.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            if (arg is not ("-b" or "--background") && !(arg.StartsWith("--b", StringComparison.Ordinal) && "--background".StartsWith(arg, StringComparison.Ordinal)))
            {
                start.ArgumentList.Add(arg);
            }
        }

        start.Environment[StatusFileVariable] = statusFile;
        using var child = Process.Start(start) ?? throw new InvalidOperationException("cannot start the background process");
        child.StandardInput.Close();
        child.StandardOutput.Close();
        child.StandardError.Close();
        var watch = Stopwatch.StartNew();
        try
        {
            while (watch.Elapsed < StartLimit)
            {
                if (File.Exists(statusFile))
                {
                    var status = File.ReadAllText(statusFile).Trim();
                    if (status == "ok")
                    {
                        Console.Out.WriteLine(child.Id);
                        return 0;
                    }

                    if (status.Length > 0)
                    {
                        Console.Error.WriteLine($"mjpg_streamer: {status}");
                        return 1;
                    }
                }

                if (child.HasExited)
                {
                    Console.Error.WriteLine($"mjpg_streamer: the background process exited with code {child.ExitCode} before it was ready");
                    return 1;
                }

                Thread.Sleep(20);
            }

            Console.Error.WriteLine("mjpg_streamer: the background process did not become ready within 30 s");
            return 1;
        }
        finally
        {
            File.Delete(statusFile);
        }
    }

    /// <summary>The child reports "ok" or its failure to the waiting parent.</summary>
    public static void Report(string status)
    {
        if (ChildStatusFile is { } path)
        {
            var temp = path + ".tmp";
            File.WriteAllText(temp, status + "\n");
            File.Move(temp, path, overwrite: true);
        }
    }
}
