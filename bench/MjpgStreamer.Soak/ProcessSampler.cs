using System.Globalization;
using MjpgStreamer.LoadClient;

namespace MjpgStreamer.Soak;

/// <summary>One reading of the server's /proc: resident memory, descriptors (and how many are pipes), threads, CPU.</summary>
public readonly record struct ProcessSample(long RssKiB, int Fds, int Pipes, int Threads, long CpuTicks);

/// <summary>
/// Samples a process every <see cref="Interval"/> (and on demand) and keeps the first, largest and last figures.
/// </summary>
public sealed class ProcessSampler : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private readonly int _pid;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private ProcessSample? _first;
    private ProcessSample _max;
    private ProcessSample _last;

    public ProcessSampler(int pid)
    {
        _pid = pid;
        Sample();
        _loop = LoopAsync();
    }

    public ProcessSample? First
    {
        get
        {
            lock (_gate)
            {
                return _first;
            }
        }
    }

    public ProcessSample Max
    {
        get
        {
            lock (_gate)
            {
                return _max;
            }
        }
    }

    public ProcessSample Last
    {
        get
        {
            lock (_gate)
            {
                return _last;
            }
        }
    }

    /// <summary>Reads /proc now; null once the process is gone.</summary>
    public ProcessSample? Sample()
    {
        var sample = Read(_pid);
        if (sample is not { } s)
        {
            return null;
        }

        lock (_gate)
        {
            _first ??= s;
            _last = s;
            _max = new ProcessSample(
                Math.Max(_max.RssKiB, s.RssKiB), Math.Max(_max.Fds, s.Fds), Math.Max(_max.Pipes, s.Pipes),
                Math.Max(_max.Threads, s.Threads), Math.Max(_max.CpuTicks, s.CpuTicks));
        }

        return s;
    }

    /// <summary>The figures of process <paramref name="pid"/>, or null when it is gone.</summary>
    public static ProcessSample? Read(int pid)
    {
        try
        {
            var status = File.ReadAllText($"/proc/{pid}/status");
            var rss = ProcessStats.ParseVmRssKiB(status);
            var threads = ParseField(status, "Threads:");
            var cpu = ProcessStats.ReadCpuTicks(pid);
            var fds = 0;
            var pipes = 0;
            foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                fds++;
                try
                {
                    if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("pipe:", StringComparison.Ordinal))
                    {
                        pipes++;
                    }
                }
                catch (IOException)
                {
                    // Closed while we looked.
                }
            }

            return rss is null || cpu is null ? null : new ProcessSample(rss.Value, fds, pipes, (int)(threads ?? 0), cpu.Value);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long? ParseField(string status, string name)
    {
        foreach (var line in status.Split('\n'))
        {
            if (line.StartsWith(name, StringComparison.Ordinal)
                && long.TryParse(line.AsSpan(name.Length).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
        }

        return null;
    }

    private async Task LoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(Interval, _stop.Token).ConfigureAwait(false);
                Sample();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
