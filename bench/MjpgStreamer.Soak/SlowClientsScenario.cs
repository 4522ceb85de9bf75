using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MjpgStreamer.Soak;

/// <summary>
/// b. Waves of slowloris clients (request headers dribbled one byte a second, never finished) and idle connections
/// (nothing sent) beside a healthy stream client: it keeps its frame rate, and the server closes every attacker
/// within <see cref="SoakOptions.AttackerCloseLimit"/> of its connecting.
/// </summary>
public static class SlowClientsScenario
{
    private static readonly byte[] Dribble = Encoding.ASCII.GetBytes(
        "GET /?action=stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slowloris\r\nX-a: " + new string('b', 200));

    public static async Task<ScenarioResult> RunAsync(SoakOptions options, CancellationToken cancellationToken = default)
    {
        var result = new ScenarioResult("b. slowloris + idle");
        await using var server = await SoakServer.StartAsync(options.Executable, [options.TestPattern], cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var sampler = new ProcessSampler(server.Pid);
        await using var healthy = await Scenario.HealthyViewerAsync(server, result).ConfigureAwait(false);
        var from = Stopwatch.GetTimestamp();
        var waves = 0;
        var slowestClose = TimeSpan.Zero;
        var slowestGate = new Lock();
        do
        {
            waves++;
            var attackers = new List<Task>();
            for (var i = 0; i < options.SlowlorisClients + options.IdleSockets; i++)
            {
                var slow = i < options.SlowlorisClients;
                attackers.Add(Task.Run(async () =>
                {
                    result.CountRequest();
                    var closedAfter = await AttackAsync(server.Port, slow, options.AttackerCloseLimit + TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
                    if (closedAfter is not { } after)
                    {
                        result.Fail($"{(slow ? "slowloris" : "idle")} connection not closed within {options.AttackerCloseLimit.TotalSeconds + 5:0} s");
                        return;
                    }

                    lock (slowestGate)
                    {
                        slowestClose = after > slowestClose ? after : slowestClose;
                    }

                    if (after > options.AttackerCloseLimit)
                    {
                        result.Fail($"{(slow ? "slowloris" : "idle")} connection closed after {after.TotalSeconds:0.0} s (limit {options.AttackerCloseLimit.TotalSeconds:0} s)");
                    }
                }, cancellationToken));
            }

            await Task.WhenAll(attackers).ConfigureAwait(false);
            Scenario.CheckAlive(server, result);
            options.Note($"b: wave {waves} done ({options.SlowlorisClients} slowloris, {options.IdleSockets} idle); slowest close {slowestClose.TotalSeconds:0.0} s");
        }
        while (Scenario.TimeLeft(from, options.AttackTime) && !server.HasExited && !cancellationToken.IsCancellationRequested);

        Scenario.CheckHealthy(healthy, from, options, result);
        result.Work = $"{waves} waves of {options.SlowlorisClients} slowloris + {options.IdleSockets} idle; slowest close {slowestClose.TotalSeconds:0.0} s";
        result.Finish(sampler);
        return result;
    }

    /// <summary>Connects and dribbles (or idles) until the server closes; how long that took, or null past <paramref name="giveUp"/>.</summary>
    private static async Task<TimeSpan?> AttackAsync(int port, bool dribble, TimeSpan giveUp, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(giveUp);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), limit.Token).ConfigureAwait(false);
            started = Stopwatch.GetTimestamp();
            var buffer = new byte[4096];
            var closed = ReadUntilClosedAsync(socket, buffer, limit.Token);
            if (dribble)
            {
                for (var i = 0; i < Dribble.Length && !closed.IsCompleted; i++)
                {
                    try
                    {
                        await socket.SendAsync(Dribble.AsMemory(i, 1), SocketFlags.None, limit.Token).ConfigureAwait(false);
                    }
                    catch (SocketException)
                    {
                        break; // closed by the server
                    }

                    await Task.WhenAny(closed, Task.Delay(TimeSpan.FromSeconds(1), limit.Token)).ConfigureAwait(false);
                }
            }

            await closed.ConfigureAwait(false);
            return Stopwatch.GetElapsedTime(started);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (SocketException)
        {
            return Stopwatch.GetElapsedTime(started);
        }
    }

    private static async Task ReadUntilClosedAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (SocketException)
        {
            // Reset: closed too.
        }
    }
}
