using System.Diagnostics;

namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>Runs mjpg_streamer (or a client tool) to its exit, bounded in time.</summary>
public static class ProgramRun
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Task<Result> RunAsync(params string[] args) => RunToolAsync(ServerProcess.ExecutablePath, args);

    public static async Task<Result> RunToolAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program)
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
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not exit");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
