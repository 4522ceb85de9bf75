using System.Diagnostics;

namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>Runs mjpg_streamer (or a client tool) to its exit, bounded in time.</summary>
public static class ProgramRun
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Task<Result> RunAsync(params string[] args) => RunToolAsync(ServerProcess.ExecutablePath, args);

    /// <summary>As <see cref="RunAsync"/>, with these environment variables set (e.g. a PATH without a program); a null value removes one.</summary>
    public static Task<Result> RunWithEnvironmentAsync(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        RunToolAsync(ServerProcess.ExecutablePath, args, environment);

    public static Task<Result> RunToolAsync(string program, params string[] args) => RunToolAsync(program, args, null);

    private static async Task<Result> RunToolAsync(string program, string[] args, IReadOnlyDictionary<string, string?>? environment)
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

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
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
