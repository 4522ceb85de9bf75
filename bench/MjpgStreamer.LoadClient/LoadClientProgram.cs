namespace MjpgStreamer.LoadClient;

/// <summary>The tool's entry point, callable in-process so tests can run it against a stand-in server.</summary>
internal static class LoadClientProgram
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancellationToken)
    {
        var options = LoadClientOptions.Parse(args, out var problem, out var helpRequested);
        if (helpRequested)
        {
            await output.WriteLineAsync(LoadClientOptions.Usage).ConfigureAwait(false);
            return 0;
        }

        if (options is null)
        {
            await error.WriteLineAsync($"error: {problem} (see --help)").ConfigureAwait(false);
            return 2;
        }

        var report = await new LoadRun(options, time).RunAsync(cancellationToken).ConfigureAwait(false);
        await output.WriteAsync(options.Json ? ReportFormatter.ToJson(report) + "\n" : ReportFormatter.ToText(report)).ConfigureAwait(false);
        if (report.Ok)
        {
            return 0;
        }

        await error.WriteLineAsync(
            $"error: {report.ConnectionErrors} of {report.Clients} clients failed ({report.ConnectFailures} connect, {report.BrokenStreams} broken streams); first: {report.Failures[0]}")
            .ConfigureAwait(false);
        return 1;
    }
}
