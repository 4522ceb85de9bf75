using System.Text.Json;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Diagnostics;

namespace MjpgStreamer.Http;

/// <summary>
/// The stream clients of one HTTP output. A once-a-second watchdog drops a client whose pending write has
/// not completed for 30 s (it accepts no data), so a dead peer never holds a connection for ever.
/// </summary>
internal sealed partial class ClientRegistry : IDisposable
{
    public static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly List<StreamClient> _clients = [];
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _watchdog;

    /// <param name="time">The clock of the watchdog and of <see cref="CrowdMemory"/>.</param>
    /// <param name="logger">Where dropped clients are logged.</param>
    /// <param name="releaseIdle">Runs right before each collection after a crowd (the block pools' idle blocks).</param>
    public ClientRegistry(TimeProvider time, ILogger logger, Action? releaseIdle = null)
    {
        _time = time;
        _logger = logger;
        _crowd = new CrowdMemory(time, () =>
        {
            releaseIdle?.Invoke();
            CrowdMemory.CollectAll();
        });
        _watchdog = time.CreateTimer(static s => ((ClientRegistry)s!).OnTick(), this, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    private readonly CrowdMemory _crowd;

    private void OnTick()
    {
        DropStalled();
        int count;
        lock (_gate)
        {
            count = _clients.Count;
        }

        lock (_crowd)
        {
            _crowd.Tick(count);
        }
    }

    private long _refused;

    public void Add(StreamClient client) => TryAdd(client, 0);

    /// <summary>Lists the client unless <paramref name="max"/> (0: no limit) are listed already.</summary>
    public bool TryAdd(StreamClient client, int max)
    {
        lock (_gate)
        {
            if (max > 0 && _clients.Count >= max)
            {
                _refused++;
                return false;
            }

            _clients.Add(client);
            return true;
        }
    }

    /// <summary>Stream clients turned away by -max_clients since the start.</summary>
    public long Refused
    {
        get
        {
            lock (_gate)
            {
                return _refused;
            }
        }
    }

    public void Remove(StreamClient client)
    {
        lock (_gate)
        {
            _clients.Remove(client);
        }
    }

    /// <summary>Aborts the connections whose current write has been pending longer than the limit.</summary>
    public void DropStalled()
    {
        var now = _time.GetTimestamp();
        List<StreamClient>? stalled = null;
        lock (_gate)
        {
            foreach (var client in _clients)
            {
                var started = client.WriteStartedAt;
                if (started != 0 && _time.GetElapsedTime(started, now) >= StallLimit)
                {
                    (stalled ??= []).Add(client);
                }
            }
        }

        if (stalled is null)
        {
            return;
        }

        foreach (var client in stalled)
        {
            LogDropped(_logger, client.Remote, client.Path, (int)StallLimit.TotalSeconds);
            client.Context.Abort();
        }
    }

    /// <summary>The clients connected now (a copy).</summary>
    public IReadOnlyList<StreamClient> Current
    {
        get
        {
            lock (_gate)
            {
                return [.. _clients];
            }
        }
    }

    public void WriteState(Utf8JsonWriter w)
    {
        var clients = Current;
        w.WriteStartArray("clients");
        foreach (var c in clients)
        {
            w.WriteStartObject();
            w.WriteString("remote", c.Remote);
            w.WriteString("path", c.Path);
            w.WriteNumber("fps", Math.Round(c.Fps.PerSecond(), 2));
            if (c.AskedFps is { } asked)
            {
                w.WriteNumber("fps_asked", asked);
            }
            else
            {
                w.WriteNull("fps_asked");
            }

            w.WriteNumber("frames_dropped_same", c.DroppedSame);
            w.WriteNumber("bytes_sent", c.BytesSent);
            w.WriteNumber("connected_s", Math.Round(_time.GetElapsedTime(c.ConnectedAt).TotalSeconds, 3));
            WriteShape(w, c.Shape);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("clients_refused", Refused);
    }

    public void Dispose() => _watchdog.Dispose();

    /// <summary>A client's "shape": null for the input's frames, else what it asked and the size it gets.</summary>
    private static void WriteShape(Utf8JsonWriter w, Core.Streaming.ShapeLease? lease)
    {
        if (lease is null)
        {
            w.WriteNull("shape");
            return;
        }

        var stats = lease.Stats;
        w.WriteStartObject("shape");
        w.WriteString("shape", stats.Shape.ToString());
        w.WriteNumber("width", stats.Width);
        w.WriteNumber("height", stats.Height);
        w.WriteNumber("quality", stats.Shape.Quality);
        w.WriteEndObject();
    }

    [LoggerMessage(EventId = LogEvents.ClientRegistryDropped, Level = LogLevel.Warning, Message = "dropping client {Remote} ({Path}): it accepted no data for {Seconds} s")]
    private static partial void LogDropped(ILogger logger, string remote, string path, int seconds);
}
