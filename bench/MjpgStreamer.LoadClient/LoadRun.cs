using System.Text;
using System.Text.Json;

namespace MjpgStreamer.LoadClient;

/// <summary>
/// One measurement: connect N clients (optionally ramped), warm up, take /state and /proc figures, measure for the
/// duration, take them again, stop every client and close its socket. Everything is bounded in time.
/// </summary>
internal sealed class LoadRun
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan StateTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RssSampleInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(5);

    private readonly LoadClientOptions _options;
    private readonly TimeProvider _time;
    private readonly List<string> _warnings = [];

    public LoadRun(LoadClientOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
    }

    public async Task<LoadReport> RunAsync(CancellationToken cancellationToken)
    {
        var phase = new RunPhase();
        var request = Encoding.ASCII.GetBytes(
            $"GET {_options.StreamPathAndQuery} HTTP/1.{(_options.Http11 ? 1 : 0)}\r\nHost: {_options.HostHeader}\r\nUser-Agent: MjpgStreamer.LoadClient\r\n\r\n");
        var clients = new StreamClient[_options.Clients];
        var tasks = new Task[clients.Length];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var ramp = TimeSpan.FromMilliseconds(_options.RampMilliseconds);
        for (var i = 0; i < clients.Length; i++)
        {
            clients[i] = new StreamClient(i, _options.RtspEndPoint ?? _options.EndPoint, request, phase, _time, ConnectTimeout, _options.Http11, _options.RtspUrl);
            tasks[i] = clients[i].RunAsync(ramp * i / clients.Length, stop.Token);
        }

        // Client tasks end early only when they fail; if all have, there is nothing left to measure.
        var allClientsEnded = Task.WhenAll(tasks);
        var rssMaxKiB = 0L;
        var rssSampler = _options.Pid is { } samplePid
            ? SampleRssAsync(samplePid, kib => rssMaxKiB = Math.Max(rssMaxKiB, kib), stop.Token)
            : Task.CompletedTask;

        long windowStart = 0;
        TimeSpan elapsed = default;
        ServerState? stateStart = null, stateEnd = null;
        long? cpuStart = null, cpuEnd = null, rssEndKiB = null;
        // A first look at /state and /proc while the clients connect: it reports a missing endpoint early and
        // gets the JIT work of these paths done before the window, where it would skew the window's edges.
        _ = TryParseState(await TryGetStateAsync(cancellationToken).ConfigureAwait(false));
        _ = _options.Pid is { } probePid ? ProcessStats.ReadCpuTicks(probePid) : null;
        try
        {
            await WaitAsync(ramp + TimeSpan.FromSeconds(_options.WarmupSeconds), allClientsEnded, cancellationToken).ConfigureAwait(false);

            // The window opens as soon as the server's count is in hand, so both count the same frames.
            var startBody = await TryGetStateAsync(cancellationToken).ConfigureAwait(false);
            cpuStart = _options.Pid is { } pid ? ProcessStats.ReadCpuTicks(pid) : null;
            windowStart = _time.GetTimestamp();
            phase.BeginMeasuring();
            stateStart = TryParseState(startBody);

            await WaitAsync(TimeSpan.FromSeconds(_options.DurationSeconds), allClientsEnded, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            phase.End();
            elapsed = windowStart == 0 ? TimeSpan.Zero : _time.GetElapsedTime(windowStart);
        }

        if (_options.Pid is { } endPid)
        {
            cpuEnd = ProcessStats.ReadCpuTicks(endPid);
            rssEndKiB = ProcessStats.ReadRssKiB(endPid);
            if (rssEndKiB is { } kib)
            {
                rssMaxKiB = Math.Max(rssMaxKiB, kib);
            }
            else
            {
                _warnings.Add($"process {endPid} is gone: no CPU or RSS figures");
            }
        }

        stateEnd = TryParseState(await TryGetStateAsync(cancellationToken).ConfigureAwait(false));

        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(allClientsEnded, rssSampler).WaitAsync(ShutdownGrace, _time, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _warnings.Add($"some clients had not stopped {ShutdownGrace.TotalSeconds:0} s after the run; their counts may be incomplete");
        }

        foreach (var client in clients)
        {
            client.FailIfUnanswered();
        }

        return BuildReport(clients, elapsed, stateStart, stateEnd, cpuStart, cpuEnd, rssEndKiB, rssMaxKiB);
    }

    private LoadReport BuildReport(
        StreamClient[] clients, TimeSpan elapsed, ServerState? stateStart, ServerState? stateEnd,
        long? cpuStart, long? cpuEnd, long? rssEndKiB, long rssMaxKiB)
    {
        var seconds = elapsed.TotalSeconds;
        var published = ServerState.Delta(stateStart?.InputFrames, stateEnd?.InputFrames);
        var fps = new double[clients.Length];
        var percent = new double[clients.Length];
        long totalFrames = 0, totalBytes = 0, withoutTimestamp = 0;
        var latencyCount = 0;
        for (var i = 0; i < clients.Length; i++)
        {
            var client = clients[i];
            fps[i] = seconds > 0 ? client.Frames / seconds : 0;
            percent[i] = published is > 0 ? 100.0 * client.Frames / published.Value : double.NaN;
            totalFrames += client.Frames;
            totalBytes += client.Bytes;
            withoutTimestamp += client.FramesWithoutTimestamp;
            latencyCount += client.Latencies.Count;
        }

        var latencies = new int[latencyCount];
        var at = 0;
        foreach (var client in clients)
        {
            client.Latencies.Samples.CopyTo(latencies.AsSpan(at));
            at += client.Latencies.Count;
        }

        Array.Sort(latencies);
        Array.Sort(fps);
        Array.Sort(percent);
        var failures = clients.Where(c => c.Failure is not null).ToList();
        double? cpuSeconds = cpuStart is { } c0 && cpuEnd is { } c1 ? (c1 - c0) / ProcessStats.ClockTicksPerSecond : null;
        return new LoadReport
        {
            Clients = clients.Length,
            DurationSeconds = seconds,
            WarmupSeconds = _options.WarmupSeconds,
            FpsMin = fps.Length > 0 ? fps[0] : null,
            FpsMedian = fps.Length > 0 ? Percentile.NearestRank<double>(fps, 50) : null,
            FpsMax = fps.Length > 0 ? fps[^1] : null,
            PublishedFrames = published,
            ReceivedPercentMin = published is > 0 ? percent[0] : null,
            ReceivedPercentMedian = published is > 0 ? Percentile.NearestRank<double>(percent, 50) : null,
            TotalFrames = totalFrames,
            TotalBytes = totalBytes,
            MegabytesPerSecond = seconds > 0 ? totalBytes / seconds / 1e6 : 0,
            LatencyP50Ms = latencies.Length > 0 ? Percentile.NearestRank<int>(latencies, 50) / 1000.0 : null,
            LatencyP99Ms = latencies.Length > 0 ? Percentile.NearestRank<int>(latencies, 99) / 1000.0 : null,
            LatencyMaxMs = latencies.Length > 0 ? latencies[^1] / 1000.0 : null,
            LatencySamples = latencies.Length,
            FramesWithoutTimestamp = withoutTimestamp,
            ServerCpuSeconds = cpuSeconds,
            ServerCpuPercent = cpuSeconds is { } cs && seconds > 0 ? 100 * cs / seconds : null,
            RssEndMiB = rssEndKiB / 1024.0,
            RssMaxMiB = rssMaxKiB > 0 ? rssMaxKiB / 1024.0 : null,
            GcGen0 = ServerState.Delta(stateStart?.Gen0, stateEnd?.Gen0),
            GcGen1 = ServerState.Delta(stateStart?.Gen1, stateEnd?.Gen1),
            GcGen2 = ServerState.Delta(stateStart?.Gen2, stateEnd?.Gen2),
            ConnectFailures = failures.Count(c => !c.Connected),
            BrokenStreams = failures.Count(c => c.Connected),
            Failures = failures.Select(c => c.Failure!).ToList(),
            Warnings = _warnings.Distinct().ToList(),
        };
    }

    private async Task WaitAsync(TimeSpan delay, Task allClientsEnded, CancellationToken cancellationToken)
    {
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        await Task.WhenAny(Task.Delay(delay, _time, cancellationToken), allClientsEnded).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private async Task<byte[]?> TryGetStateAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await HttpGet.GetAsync(_options.EndPoint, _options.HostHeader, _options.StatePath, StateTimeout, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (IOException e)
        {
            _warnings.Add($"no server state: {e.Message}");
            return null;
        }
    }

    private ServerState? TryParseState(byte[]? body)
    {
        if (body is null)
        {
            return null;
        }

        try
        {
            var state = ServerState.Parse(body, _options.InputId);
            if (state.InputFrames is null)
            {
                _warnings.Add($"{_options.StatePath} has no frame count for input {_options.InputId}");
            }

            return state;
        }
        catch (JsonException e)
        {
            _warnings.Add($"no server state: {_options.StatePath} is not JSON ({e.Message})");
            return null;
        }
    }

    private async Task SampleRssAsync(int pid, Action<long> sample, CancellationToken stop)
    {
        try
        {
            using var timer = new PeriodicTimer(RssSampleInterval, _time);
            do
            {
                if (ProcessStats.ReadRssKiB(pid) is { } kib)
                {
                    sample(kib);
                }
            }
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run is over.
        }
    }
}
