using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Diagnostics;

namespace MjpgStreamer.Hosting;

/// <summary>
/// systemd's notify protocol (a unit with <c>Type=notify</c> and <c>WatchdogSec=</c>): datagrams on the AF_UNIX
/// socket named by NOTIFY_SOCKET (a path, or "@name" for an abstract socket). <c>READY=1</c> once every input and
/// output started, <c>STOPPING=1</c> on SIGINT/SIGTERM, and <c>WATCHDOG=1</c> every half of WATCHDOG_USEC (when
/// WATCHDOG_PID is unset or ours) while <c>problem</c> finds nothing wrong (<see cref="ServiceHealth"/>): a hung
/// input or a stopped HTTP server withholds it, so systemd restarts the service. Without NOTIFY_SOCKET there is
/// no notifier at all (no socket, no timer).
/// </summary>
internal sealed partial class SystemdNotifier : IDisposable
{
    private static readonly string[] Variables = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"];

    private readonly Socket _socket;
    private readonly EndPoint _endPoint;
    private readonly TimeProvider _time;
    private readonly Func<string?> _problem;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private string? _withheldFor;
    private bool _stopping;
    private bool _sendFailed;

    private SystemdNotifier(EndPoint endPoint, TimeSpan? watchdogInterval, TimeProvider time, Func<string?> problem, ILogger logger)
    {
        _endPoint = endPoint;
        WatchdogInterval = watchdogInterval;
        _time = time;
        _problem = problem;
        _logger = logger;
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };
    }

    /// <summary>How often WATCHDOG=1 goes out (half of WATCHDOG_USEC), or null: no watchdog asked for.</summary>
    public TimeSpan? WatchdogInterval { get; }

    /// <summary>The notifier NOTIFY_SOCKET asks for, or null (not run by systemd as Type=notify, or a socket kind we do not speak).</summary>
    public static SystemdNotifier? FromEnvironment(Func<string, string?> variable, int pid, TimeProvider time, Func<string?> problem, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(variable);
        var address = variable("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(address))
        {
            return null;
        }

        if (address[0] is not ('/' or '@') || address.Length < 2)
        {
            // vsock: and the like (systemd in a VM) are not ours to speak.
            LogUnsupportedSocket(logger, address);
            return null;
        }

        // An abstract socket: '@' stands for the leading NUL byte of its name.
        var endPoint = new UnixDomainSocketEndPoint(address[0] == '@' ? "\0" + address[1..] : address);
        TimeSpan? interval = null;
        if (ulong.TryParse(variable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec) && usec > 0
            && (variable("WATCHDOG_PID") is not { Length: > 0 } watchdogPid || watchdogPid == pid.ToString(CultureInfo.InvariantCulture)))
        {
            interval = TimeSpan.FromTicks(Math.Max(10, (long)Math.Min(usec / 2, (ulong)(long.MaxValue / 10)) * 10));
        }

        return new SystemdNotifier(endPoint, interval, time, problem, logger);
    }

    /// <summary>
    /// Removes NOTIFY_SOCKET and the watchdog's variables from what the programs we run inherit (ChildProcess passes
    /// this process's environment): an input_exec program that speaks the protocol must not notify in our name.
    /// </summary>
    public static void HideFromChildren()
    {
        foreach (var name in Variables)
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    /// <summary>READY=1 with a STATUS= line; starts the watchdog when one is asked for.</summary>
    public void Ready(string status)
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }

            Send($"READY=1\nSTATUS={OneLine(status)}\n");
            LogReady(_logger, WatchdogInterval is { } every ? $"watchdog every {every.TotalSeconds:0.###} s" : "no watchdog");
            if (WatchdogInterval is { } interval)
            {
                // The first WATCHDOG=1 at once (READY=1 resets systemd's timer anyway), then every interval.
                SendWatchdogLocked();
                _timer = _time.CreateTimer(static state => ((SystemdNotifier)state!).Tick(), this, interval, interval);
            }
        }
    }

    /// <summary>STOPPING=1 (SIGINT/SIGTERM): the watchdog stops first, so a slow stop is not taken for a hang.</summary>
    public void Stopping()
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
            _timer?.Dispose();
            _timer = null;
            Send("STOPPING=1\n");
        }
    }

    private void Tick()
    {
        lock (_gate)
        {
            if (!_stopping)
            {
                SendWatchdogLocked();
            }
        }
    }

    private void SendWatchdogLocked()
    {
        string? problem;
        try
        {
            problem = _problem();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            problem = $"the health check failed: {ex.Message}";
        }

        if (problem is null)
        {
            if (_withheldFor is not null)
            {
                _withheldFor = null;
                LogWatchdogResumed(_logger);
                Send("WATCHDOG=1\nSTATUS=healthy again\n");
                return;
            }

            Send("WATCHDOG=1\n");
            return;
        }

        if (problem != _withheldFor)
        {
            _withheldFor = problem;
            LogWatchdogWithheld(_logger, problem);
            Send($"STATUS=watchdog withheld: {OneLine(problem)}\n");
        }
    }

    private void Send(string message)
    {
        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(message), SocketFlags.None, _endPoint);
            _sendFailed = false;
        }
        catch (SocketException ex)
        {
            // systemd gone or its queue full: the next message tries again; logged once per run of failures.
            if (!_sendFailed)
            {
                _sendFailed = true;
                LogSendFailed(_logger, ex.SocketErrorCode.ToString());
            }
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            _timer?.Dispose();
            _timer = null;
        }

        _socket.Dispose();
    }

    [LoggerMessage(EventId = LogEvents.SystemdReady, Level = LogLevel.Information, Message = "systemd notified: ready ({Watchdog})")]
    private static partial void LogReady(ILogger logger, string watchdog);

    [LoggerMessage(EventId = LogEvents.SystemdWatchdogWithheld, Level = LogLevel.Error, Message = "systemd watchdog withheld: {Problem}")]
    private static partial void LogWatchdogWithheld(ILogger logger, string problem);

    [LoggerMessage(EventId = LogEvents.SystemdWatchdogResumed, Level = LogLevel.Information, Message = "systemd watchdog resumed: healthy again")]
    private static partial void LogWatchdogResumed(ILogger logger);

    [LoggerMessage(EventId = LogEvents.SystemdSendFailed, Level = LogLevel.Warning, Message = "cannot notify systemd: {Error}")]
    private static partial void LogSendFailed(ILogger logger, string error);

    [LoggerMessage(EventId = LogEvents.SystemdUnsupportedSocket, Level = LogLevel.Warning, Message = "NOTIFY_SOCKET '{Address}' is not a path or an abstract socket: systemd is not notified")]
    private static partial void LogUnsupportedSocket(ILogger logger, string address);
}
