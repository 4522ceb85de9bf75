using System.Globalization;

namespace MjpgStreamer.Soak;

/// <summary>
/// The soak: every scenario once, each with its share of --duration, then one figure table (markdown) on stdout.
/// Exit code 0 when every scenario passed, 1 when one failed, 2 for a bad command line.
/// </summary>
public static class SoakProgram
{
    public const string Usage = "usage: MjpgStreamer.Soak --exe PATH [--fakecam LIBFAKECAM.SO] [--duration SECONDS] [--seed N] [--only abcdefgh]";

    private static readonly (char Key, Func<SoakOptions, CancellationToken, Task<ScenarioResult>> Run)[] All =
    [
        ('a', MalformedScenario.RunAsync),
        ('b', SlowClientsScenario.RunAsync),
        ('c', FanoutScenario.RunAsync),
        ('d', UnplugScenario.RunAsync),
        ('e', ExecRestartScenario.RunAsync),
        ('f', PauseToggleScenario.RunAsync),
        ('g', ShutdownScenario.RunAsync),
        ('h', AuthMatrixScenario.RunAsync),
    ];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        string? exe = null;
        string? fakecam = null;
        var duration = 3600;
        int? seed = null;
        var only = "abcdefgh";
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--exe" when value is not null:
                    exe = value;
                    break;
                case "--fakecam" when value is not null:
                    fakecam = value;
                    break;
                case "--duration" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var d) && d >= 60:
                    duration = d;
                    break;
                case "--seed" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var s):
                    seed = s;
                    break;
                case "--only" when value is not null:
                    only = value;
                    break;
                default:
                    await log.WriteLineAsync($"error: bad argument {args[i]} (--duration needs at least 60)\n{Usage}").ConfigureAwait(false);
                    return 2;
            }

            i++;
        }

        if (exe is null || !File.Exists(exe))
        {
            await log.WriteLineAsync($"error: no executable{(exe is null ? "" : ": " + exe)}\n{Usage}").ConfigureAwait(false);
            return 2;
        }

        var options = ForDuration(TimeSpan.FromSeconds(duration), Path.GetFullPath(exe), fakecam is null ? null : Path.GetFullPath(fakecam), log) with { Seed = seed ?? (Environment.TickCount & int.MaxValue) };
        options.Note($"soak: {duration} s, seed {options.Seed}, scenarios {only}");
        var results = new List<ScenarioResult>();
        foreach (var (key, run) in All)
        {
            if (!only.Contains(key, StringComparison.Ordinal) || cancellationToken.IsCancellationRequested)
            {
                continue;
            }

            options.Note($"soak: scenario {key} ...");
            ScenarioResult result;
            try
            {
                result = await run(options, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or System.Net.Sockets.SocketException)
            {
                result = new ScenarioResult($"{key}. (did not run)");
                result.Fail(e.Message);
                result.Finish(null);
            }

            options.Note($"soak: {result.TableRow()}");
            if (!result.Passed)
            {
                options.Note(result.Describe());
            }

            results.Add(result);
        }

        await output.WriteLineAsync(ScenarioResult.TableHead).ConfigureAwait(false);
        foreach (var result in results)
        {
            await output.WriteLineAsync(result.TableRow()).ConfigureAwait(false);
        }

        var failed = results.Where(r => !r.Passed).ToList();
        await output.WriteLineAsync().ConfigureAwait(false);
        foreach (var result in failed)
        {
            await output.WriteAsync(result.Describe()).ConfigureAwait(false);
        }

        await output.WriteLineAsync(failed.Count == 0 ? $"soak: all {results.Count} scenarios passed (seed {options.Seed})" : $"soak: {failed.Count} of {results.Count} scenarios FAILED (seed {options.Seed})").ConfigureAwait(false);
        return failed.Count == 0 ? 0 : 1;
    }

    /// <summary>The full counts, with each scenario's time share of <paramref name="duration"/>.</summary>
    public static SoakOptions ForDuration(TimeSpan duration, string executable, string? fakecam, TextWriter log)
    {
        static TimeSpan Share(TimeSpan total, double part, double leastSeconds) => TimeSpan.FromSeconds(Math.Max(leastSeconds, total.TotalSeconds * part));
        return new SoakOptions
        {
            Executable = executable,
            FakecamLibrary = fakecam,
            Log = log,
            FuzzTime = Share(duration, 0.1, 10),
            AttackTime = Share(duration, 0.1, 20),
            FanoutShare = Share(duration, 0.22, 20),
            FanoutTime = TimeSpan.FromSeconds(Math.Min(60, Math.Max(10, duration.TotalSeconds * 0.2))),
            UnplugCap = Share(duration, 0.2, 20),
            ExecCap = Share(duration, 0.15, 30),
            ExecUseCap = true,
            PauseCap = Share(duration, 0.08, 20),
            TermRounds = (int)Math.Max(1, duration.TotalSeconds / 600),
        };
    }
}
