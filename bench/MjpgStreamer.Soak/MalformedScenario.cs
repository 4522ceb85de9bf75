using System.Diagnostics;
using System.Text;

namespace MjpgStreamer.Soak;

/// <summary>
/// a. The malformed-request corpus, then the seeded random fuzzer, beside a healthy stream client: no crash, every
/// connection answered or closed within <see cref="SoakOptions.AnswerTimeout"/> of sending (the client half-closes
/// after its bytes), no 500, and the healthy client keeps its frame rate.
/// </summary>
public static class MalformedScenario
{
    /// <summary>Kestrel's log line for an exception that escaped a request handler.</summary>
    private const string Unhandled = "nhandled exception";

    public static async Task<ScenarioResult> RunAsync(SoakOptions options, CancellationToken cancellationToken = default)
    {
        var result = new ScenarioResult("a. malformed + fuzz");
        await using var server = await SoakServer.StartAsync(options.Executable, [options.TestPattern], watch: [Unhandled], cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var sampler = new ProcessSampler(server.Pid);
        await using var healthy = await Scenario.HealthyViewerAsync(server, result).ConfigureAwait(false);
        var from = Stopwatch.GetTimestamp();

        var corpus = MalformedCorpus.Build();
        var next = -1;
        await Scenario.RunConcurrentlyAsync(options.Concurrency, async () =>
        {
            var i = Interlocked.Increment(ref next);
            if (i >= corpus.Count)
            {
                return false;
            }

            await SendAsync(server, options, result, corpus[i].Name, corpus[i].Bytes, cancellationToken).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
        Scenario.CheckAlive(server, result);

        options.Note($"a: corpus of {corpus.Count} requests done; fuzzing for {options.FuzzTime.TotalSeconds:0} s with seed {options.Seed}");
        var fuzzer = new RequestFuzzer(options.Seed);
        var fuzzGate = new Lock();
        var fuzzStart = Stopwatch.GetTimestamp();
        long fuzzed = 0;
        await Scenario.RunConcurrentlyAsync(options.Concurrency, async () =>
        {
            if (!Scenario.TimeLeft(fuzzStart, options.FuzzTime) || server.HasExited || cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            byte[] request;
            long n;
            lock (fuzzGate)
            {
                request = fuzzer.Next();
                n = ++fuzzed;
            }

            // Paced: request n is due at n / FuzzRate seconds.
            var due = TimeSpan.FromSeconds(n / options.FuzzRate) - Stopwatch.GetElapsedTime(fuzzStart);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, cancellationToken).ConfigureAwait(false);
            }

            await SendAsync(server, options, result, $"fuzz #{n} (seed {options.Seed})", request, cancellationToken).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);

        Scenario.CheckAlive(server, result);
        if (server.LineTimes(Unhandled).Count > 0)
        {
            result.Fail($"the server logged {server.LineTimes(Unhandled).Count} unhandled exceptions:\n{server.LogTail}");
        }

        Scenario.CheckHealthy(healthy, from, options, result);
        result.Work = $"corpus {corpus.Count}, fuzz {fuzzed} (seed {options.Seed})";
        result.Finish(sampler);
        return result;
    }

    private static async Task SendAsync(SoakServer server, SoakOptions options, ScenarioResult result, string name, byte[] request, CancellationToken cancellationToken)
    {
        result.CountRequest();
        var answer = await RawHttp.ExchangeAsync(server.Port, request, options.AnswerTimeout, halfClose: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        switch (answer.Outcome)
        {
            case ExchangeOutcome.TimedOut:
                result.Fail($"{name}: neither answered nor closed within {options.AnswerTimeout.TotalSeconds:0} s ({Preview(request)})");
                break;
            case ExchangeOutcome.ConnectFailed:
                result.Fail($"{name}: could not connect");
                break;
            case ExchangeOutcome.Answered when answer.Status < 100:
                result.Fail($"{name}: no status line ({Preview(request)})");
                break;
            case ExchangeOutcome.Answered when answer.Status == 500 && IsBadEscapeAnswer(request, answer.Body):
                // mjpg-streamer's own answer to a bad %-escape in a command ("could not properly unescape").
                break;
            case ExchangeOutcome.Answered when answer.Status == 500:
                result.Fail($"{name}: answered 500 ({Preview(request)}): {Encoding.Latin1.GetString(answer.Body, 0, Math.Min(answer.Body.Length, 120))}");
                break;
            default:
                break;
        }
    }

    private static bool IsBadEscapeAnswer(byte[] request, byte[] body) =>
        body.AsSpan().IndexOf("unescape"u8) >= 0
        || (request.AsSpan().StartsWith("HEAD "u8) && body.Length == 0 && request.AsSpan().IndexOf((byte)'%') >= 0);

    private static string Preview(byte[] request)
    {
        var text = Encoding.Latin1.GetString(request, 0, Math.Min(request.Length, 80));
        var escaped = new StringBuilder();
        foreach (var c in text)
        {
            escaped.Append(c is >= ' ' and < (char)127 ? c.ToString() : $"\\x{(int)c:x2}");
        }

        return escaped.ToString();
    }
}
