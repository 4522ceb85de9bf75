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

    public ClientRegistry(TimeProvider time, ILogger logger)
    {
        _time = time;
        _logger = logger;
        _watchdog = time.CreateTimer(static s => ((ClientRegistry)s!).DropStalled(), this, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public void Add(StreamClient client)
    {
        lock (_gate)
        {
            _clients.Add(client);
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
            w.WriteNumber("bytes_sent", c.BytesSent);
            w.WriteNumber("connected_s", Math.Round(_time.GetElapsedTime(c.ConnectedAt).TotalSeconds, 3));
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    public void Dispose() => _watchdog.Dispose();

    [LoggerMessage(EventId = LogEvents.ClientRegistryDropped, Level = LogLevel.Warning, Message = "dropping client {Remote} ({Path}): it accepted no data for {Seconds} s")]
    private static partial void LogDropped(ILogger logger, string remote, string path, int seconds);
}
