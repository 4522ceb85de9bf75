using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MjpgStreamer.Soak;

/// <summary>What one scenario did and found: counters, the clients' frame rates, the server's figures, the failures.</summary>
public sealed class ScenarioResult
{
    private readonly Lock _gate = new();
    private readonly List<string> _failures = [];
    private readonly List<double> _fps = [];
    private long _requests;
    private long _errors;

    public ScenarioResult(string name)
    {
        Name = name;
        Started = Stopwatch.GetTimestamp();
    }

    public string Name { get; }

    public long Started { get; }

    public TimeSpan Elapsed { get; private set; }

    public long Requests => Interlocked.Read(ref _requests);

    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>What was done besides requests, e.g. "200 cycles" (the table's last column).</summary>
    public string Work { get; set; } = "";

    public ProcessSample? ServerStart { get; private set; }

    public ProcessSample ServerMax { get; private set; }

    public ProcessSample? ServerEnd { get; private set; }

    public IReadOnlyList<string> Failures
    {
        get
        {
            lock (_gate)
            {
                return [.. _failures];
            }
        }
    }

    public IReadOnlyList<double> ClientFps
    {
        get
        {
            lock (_gate)
            {
                return [.. _fps];
            }
        }
    }

    public bool Passed => Failures.Count == 0;

    public void CountRequest() => Interlocked.Increment(ref _requests);

    /// <summary>An error counts and fails the scenario; the first 20 are kept with their reasons.</summary>
    public void Fail(string reason)
    {
        Interlocked.Increment(ref _errors);
        lock (_gate)
        {
            if (_failures.Count < 20)
            {
                _failures.Add(reason);
            }
            else if (_failures.Count == 20)
            {
                _failures.Add("(further failures not listed)");
            }
        }
    }

    public void AddFps(double fps)
    {
        lock (_gate)
        {
            _fps.Add(fps);
        }
    }

    /// <summary>Takes the server's figures from the sampler (call once, at the end).</summary>
    public void Finish(ProcessSampler? sampler)
    {
        Elapsed = Stopwatch.GetElapsedTime(Started);
        if (sampler is not null)
        {
            sampler.Sample();
            ServerStart = sampler.First;
            ServerMax = sampler.Max;
            ServerEnd = sampler.Last;
        }
    }

    public static string TableHead =>
        "| scenario | result | time s | requests | errors | client fps median/min | RSS MiB start/max/end | fds start/max/end | pipes max | threads start/max/end | CPU s (% of a core) | work |\n"
        + "|---|---|---|---|---|---|---|---|---|---|---|---|";

    public string TableRow()
    {
        var c = CultureInfo.InvariantCulture;
        var fps = ClientFps.Order().ToArray();
        var fpsText = fps.Length == 0 ? "-" : string.Format(c, "{0:0.0}/{1:0.0}", fps[fps.Length / 2], fps[0]);
        string server;
        if (ServerStart is { } s && ServerEnd is { } e)
        {
            var m = ServerMax;
            var cpu = (e.CpuTicks - s.CpuTicks) / LoadClient.ProcessStats.ClockTicksPerSecond;
            var pct = Elapsed.TotalSeconds > 0 ? 100 * cpu / Elapsed.TotalSeconds : 0;
            server = string.Format(c, "{0:0.0}/{1:0.0}/{2:0.0} | {3}/{4}/{5} | {6} | {7}/{8}/{9} | {10:0.0} ({11:0} %)",
                s.RssKiB / 1024.0, m.RssKiB / 1024.0, e.RssKiB / 1024.0, s.Fds, m.Fds, e.Fds, m.Pipes, s.Threads, m.Threads, e.Threads, cpu, pct);
        }
        else
        {
            server = "- | - | - | - | -";
        }

        return string.Format(c, "| {0} | {1} | {2:0} | {3} | {4} | {5} | {6} | {7} |",
            Name, Passed ? "pass" : "FAIL", Elapsed.TotalSeconds, Requests, Errors, fpsText, server, Work);
    }

    /// <summary>The failures, one per line, for the end of the report or an assertion message.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        foreach (var failure in Failures)
        {
            text.Append(Name).Append(": ").AppendLine(failure);
        }

        return text.ToString();
    }
}
