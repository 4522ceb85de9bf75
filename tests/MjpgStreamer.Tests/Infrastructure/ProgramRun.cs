using System.Diagnostics;

namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>Runs mjpg_streamer to its exit (for command lines that must not serve), bounded in time.</summary>
public static class ProgramRun
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static async Task<Result> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(ServerProcess.ExecutablePath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"mjpg_streamer {string.Join(' ', args)} did not exit");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
