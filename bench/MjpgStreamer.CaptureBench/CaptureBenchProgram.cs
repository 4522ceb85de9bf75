using System.Runtime.CompilerServices;

namespace MjpgStreamer.CaptureBench;

/// <summary>The tool's entry point: parses, prints the command line and how the code runs, then runs the command.</summary>
internal static class CaptureBenchProgram
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var command = BenchCommandLine.Parse(args, out var problem, out var helpRequested);
        if (helpRequested)
        {
            await output.WriteLineAsync(BenchCommandLine.Usage).ConfigureAwait(false);
            return 0;
        }

        if (command is null)
        {
            await error.WriteLineAsync($"error: {problem} (see --help)").ConfigureAwait(false);
            return 2;
        }

        await output.WriteLineAsync("$ MjpgStreamer.CaptureBench " + CommandLineText(args)).ConfigureAwait(false);
        await output.WriteLineAsync(RuntimeText()).ConfigureAwait(false);
        return command switch
        {
            EncodeCommand encode => EncodeBench.Run(encode, output),
            CaptureCommand capture => await CaptureBench.RunAsync(capture, output, error).ConfigureAwait(false),
            PauseCommand pause => await PauseBench.RunAsync(pause, output, error).ConfigureAwait(false),
            StillCommand still => await StillBench.RunAsync(still, output, error).ConfigureAwait(false),
            _ => throw new InvalidOperationException($"no runner for {command.GetType().Name}"),
        };
    }

    /// <summary>The arguments as a shell would need them to run this again (single quotes where needed).</summary>
    public static string CommandLineText(IReadOnlyList<string> args) =>
        string.Join(' ', args.Select(a => a.Length > 0 && a.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=,:+@%".Contains(c))
            ? a
            : "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));

    private static string RuntimeText()
    {
        var build =
#if DEBUG
            "Debug build (numbers are not meaningful)";
#else
            "Release build";
#endif
        var codegen = RuntimeFeature.IsDynamicCodeCompiled ? "JIT (not Native AOT; tiered)" : "Native AOT";
        var v4l2 = Environment.GetEnvironmentVariable(CaptureBench.V4l2LibraryVariable);
        var devices = Environment.GetEnvironmentVariable("FAKECAM_DEVICES");
        return $".NET {Environment.Version}, {codegen}, {build}, {Environment.ProcessorCount} cores, GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}"
            + (string.IsNullOrEmpty(v4l2) ? "" : $"; {CaptureBench.V4l2LibraryVariable}={v4l2}")
            + (string.IsNullOrEmpty(devices) ? "" : $"; FAKECAM_DEVICES={devices}");
    }
}
