using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Diagnostics;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Plugins;

namespace MjpgStreamer.Rtsp;

/// <summary>
/// output_rtsp.so: an RTSP 1.0 server (RFC 2326) that streams one input's JPEG frames as RTP/JPEG (RFC 2435), over TCP
/// interleaved or UDP unicast. The frames are packetised once for every client (<see cref="RtpJpegStream"/>); each
/// connection (<see cref="RtspConnection"/>) holds one session (<see cref="RtspSession"/>). A connection that shows no
/// sign of life (request or RTCP) for <see cref="SessionTimeoutSeconds"/> is closed with its session and sockets.
/// </summary>
internal sealed partial class RtspOutput : IOutput
{
    public const string Name = "output_rtsp.so";

    public const int SessionTimeoutSeconds = 60;

    public static readonly OutputPlugin Descriptor = new(
        Name,
        "RTSP output plugin",
        RtspOutputOptions.Specs,
        RtspOutputOptions.Help,
        static parsed =>
        {
            var options = RtspOutputOptions.From(parsed);
            return context => new RtspOutput(context, options);
        })
    {
        Summary = "RTSP server, RTP/JPEG over TCP or UDP (-p PORT -l ADDRESS -i INPUT -c USER:PASS -n NAME)",
    };

    private readonly OutputContext _context;
    private readonly RtspOutputOptions _options;
    private readonly ILogger _logger;
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _tasks = [];
    private readonly Lock _gate = new();
    private readonly HashSet<RtspConnection> _connections = [];
    private readonly CancellationTokenSource _stopping = new();
    private RtpJpegStream? _stream;
    private ITimer? _sweep;
    private bool _started;

    public RtspOutput(OutputContext context, RtspOutputOptions options)
    {
        _context = context;
        _options = options;
        _logger = context.LoggerFactory.CreateLogger("output_rtsp");
        Auth = options.Credentials is null ? null : new RtspAuth(options.Credentials);
        Args = context.Args;
    }

    public int Id => _context.Id;

    public string Plugin => _context.Plugin;

    public string Args { get; }

    public string DisplayName => "RTSP output plugin";

    public int BoundPort { get; private set; }

    public bool IsAlive => _started && !_stopping.IsCancellationRequested;

    public string? ReadyText { get; private set; }

    public RtspAuth? Auth { get; }

    public RtpJpegStream Stream => _stream ?? throw new InvalidOperationException("not started");

    private LatestFrameHub InputHub => _context.Streamer.Inputs[_options.Input].Hub;

    public Task StartAsync(CancellationToken cancellation)
    {
        if (_options.Input >= _context.Streamer.Inputs.Count)
        {
            throw new StartupException($"{Plugin}: -i {_options.Input}: there is no input {_options.Input} ({_context.Streamer.Inputs.Count} input(s), numbered from 0)");
        }

        var addresses = ListenAddress.Resolve(_options.Listen, Plugin);
        try
        {
            if (addresses is null)
            {
                _listeners.Add(Listen(IPAddress.IPv6Any, _options.Port, dualMode: true));
            }
            else
            {
                foreach (var address in _options.Port == 0 ? addresses.Take(1) : addresses)
                {
                    _listeners.Add(Listen(address, _options.Port, dualMode: false));
                }
            }
        }
        catch (SocketException ex)
        {
            foreach (var listener in _listeners)
            {
                listener.Dispose();
            }

            _listeners.Clear();
            var on = _options.Listen is null ? "" : $" on {_options.Listen}";
            var message = ex.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => $"port {_options.Port}{on} is in use",
                SocketError.AddressNotAvailable => $"'{_options.Listen}' is not an address of this machine",
                SocketError.AccessDenied when _options.Port < 1024 => $"no permission to listen on port {_options.Port}{on} (ports below 1024 need root or CAP_NET_BIND_SERVICE)",
                var code => $"cannot listen on port {_options.Port}{on}: {ex.Message} ({code})",
            };
            throw new StartupException($"{Plugin}: {message}");
        }

        _stream = new RtpJpegStream(InputHub, Id, _options.Input, _context.Time, _logger);
        _tasks.Add(_stream.RunAsync(_stopping.Token));
        foreach (var listener in _listeners)
        {
            var endpoint = (IPEndPoint)listener.LocalEndPoint!;
            BoundPort = endpoint.Port;
            var host = endpoint.Address.Equals(IPAddress.IPv6Any) || endpoint.Address.Equals(IPAddress.Any) ? "0.0.0.0"
                : endpoint.Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]" : endpoint.Address.ToString();
            var url = $"rtsp://{host}:{endpoint.Port}/{_options.Name}";
            LogListening(_logger, Id, url);
            ReadyText ??= url;
            _tasks.Add(AcceptAsync(listener));
        }

        LogSettings(_logger, Id, _options.Input, Auth is null ? "disabled" : "enabled (Basic, Digest)", SessionTimeoutSeconds);
        _sweep = _context.Time.CreateTimer(_ => Sweep(), null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
        _started = true;
        return Task.CompletedTask;
    }

    private static Socket Listen(IPAddress address, int port, bool dualMode)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (dualMode)
            {
                socket.DualMode = true;
            }

            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(64);
            return socket;
        }
        catch (SocketException ex) when (dualMode && ex.SocketErrorCode is SocketError.AddressFamilyNotSupported or SocketError.AddressNotAvailable)
        {
            // No IPv6 on this machine: every IPv4 address.
            socket.Dispose();
            return Listen(IPAddress.Any, port, dualMode: false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task AcceptAsync(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset)
            {
                continue;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                if (!_stopping.IsCancellationRequested)
                {
                    LogConnectionFailed(_logger, Id, ex.Message);
                }

                return;
            }

            client.NoDelay = true;
            var connection = new RtspConnection(client, this, _context.Time);
            lock (_gate)
            {
                _connections.Add(connection);
            }

            _ = ServeAsync(connection);
        }
    }

    private async Task ServeAsync(RtspConnection connection)
    {
        try
        {
            await connection.RunAsync();
        }
        finally
        {
            var session = connection.Session;
            await connection.DisposeAsync();
            lock (_gate)
            {
                _connections.Remove(connection);
            }

            if (session is not null)
            {
                LogClientGone(_logger, Id, connection.Remote, connection.CloseReason, session.FramesSent);
            }
        }
    }

    /// <summary>Closes the connections (and so the sessions) that showed no sign of life for the session timeout.</summary>
    private void Sweep()
    {
        RtspConnection[] connections;
        lock (_gate)
        {
            connections = [.. _connections];
        }

        foreach (var connection in connections)
        {
            if (connection.Idle.TotalSeconds > SessionTimeoutSeconds)
            {
                LogSessionTimeout(_logger, Id, connection.Remote, SessionTimeoutSeconds);
                connection.Abort("session timeout");
            }
        }
    }

    /// <summary>Whether a request's URL names this stream: rtsp://HOST:PORT/ or /NAME (with -n), with or without /track0.</summary>
    public bool MatchesPath(string uri)
    {
        if (uri == "*")
        {
            return true;
        }

        var path = RtspRequest.PathOf(uri);
        if (path == "track0" || path.EndsWith("/track0", StringComparison.Ordinal))
        {
            path = path[..^"track0".Length].TrimEnd('/');
        }

        return path.Length == 0 || _options.Name is null || path == _options.Name;
    }

    /// <summary>For DESCRIBE: the stream's size and frame rate, from the frames the input publishes (waits up to 5 s for them).</summary>
    public async Task<(int Width, int Height, int Fps)> ProbeAsync(CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation, _stopping.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        using var reader = InputHub.Subscribe(timeout.Token, startWithCurrent: false);
        int width = 0, height = 0, fps = 0;
        long? first = null;
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var frame = await reader.NextAsync();
                if (frame is null)
                {
                    continue;
                }

                var now = _context.Time.GetTimestamp();
                if (JpegInfo.TryReadSize(frame.Span, out var w, out var h))
                {
                    (width, height) = (w, h);
                }

                frame.Release();
                if (first is { } start && i == 2)
                {
                    var seconds = _context.Time.GetElapsedTime(start, now).TotalSeconds;
                    fps = seconds > 0 ? Math.Clamp((int)Math.Round(2 / seconds), 1, 120) : 0;
                }

                first ??= now;
            }
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
        }

        if (width == 0)
        {
            (width, height) = _stream?.Size ?? (0, 0);
        }

        return (width, height, fps);
    }

    public void OnPlaying(RtspConnection connection, RtspSession session) =>
        LogPlaying(_logger, Id, connection.Remote, session.Transport);

    public void OnTeardown(RtspConnection connection, RtspSession session) =>
        LogClientGone(_logger, Id, connection.Remote, "TEARDOWN", session.FramesSent);

    public void OnUnauthorized(RtspConnection connection, bool noCredentials)
    {
        if (!noCredentials)
        {
            LogUnauthorized(_logger, Id, connection.Remote);
        }
    }

    public async Task StopAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        _sweep?.Dispose();
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        RtspConnection[] connections;
        lock (_gate)
        {
            connections = [.. _connections];
        }

        foreach (var connection in connections)
        {
            connection.Abort("server stopping");
        }

        await Task.WhenAll(_tasks);
        _stream?.Dispose();
    }

    public void WriteState(Utf8JsonWriter writer)
    {
        writer.WriteNumber("port", BoundPort);
        writer.WriteNumber("input", _options.Input);
        writer.WriteNumber("frames_sent", _stream?.FramesSent ?? 0);
        writer.WriteNumber("frames_recoded", _stream?.FramesRecoded ?? 0);
        writer.WriteNumber("frames_reencoded", _stream?.FramesReencoded ?? 0);
        writer.WriteNumber("frames_skipped", _stream?.FramesSkipped ?? 0);
        RtspConnection[] connections;
        lock (_gate)
        {
            connections = [.. _connections];
        }

        writer.WriteStartArray("clients");
        foreach (var connection in connections)
        {
            if (connection.Session is not { } session)
            {
                continue;
            }

            writer.WriteStartObject();
            writer.WriteString("address", connection.Remote);
            writer.WriteString("transport", session.Transport);
            writer.WriteString("state", session.Playing ? "playing" : "ready");
            writer.WriteNumber("frames", session.FramesSent);
            writer.WriteNumber("bytes", session.BytesSent);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = LogEvents.RtspListening, Level = LogLevel.Information, Message = "output {OutputId}: listening on {Url}")]
    private static partial void LogListening(ILogger logger, int outputId, string url);

    [LoggerMessage(EventId = LogEvents.RtspSettings, Level = LogLevel.Information, Message = "output {OutputId}: RTSP streams input {InputId}, credentials {Credentials}, session timeout {Timeout} s")]
    private static partial void LogSettings(ILogger logger, int outputId, int inputId, string credentials, int timeout);

    [LoggerMessage(EventId = LogEvents.RtspPlaying, Level = LogLevel.Information, Message = "output {OutputId}: {Client} plays (RTP over {Transport})")]
    private static partial void LogPlaying(ILogger logger, int outputId, string client, string transport);

    [LoggerMessage(EventId = LogEvents.RtspClientGone, Level = LogLevel.Information, Message = "output {OutputId}: {Client} left ({Reason}) after {Frames} frames")]
    private static partial void LogClientGone(ILogger logger, int outputId, string client, string reason, long frames);

    [LoggerMessage(EventId = LogEvents.RtspSessionTimeout, Level = LogLevel.Information, Message = "output {OutputId}: {Client} silent for {Timeout} s: session closed")]
    private static partial void LogSessionTimeout(ILogger logger, int outputId, string client, int timeout);

    [LoggerMessage(EventId = LogEvents.RtspConnectionFailed, Level = LogLevel.Warning, Message = "output {OutputId}: accepting RTSP connections failed: {Message}")]
    private static partial void LogConnectionFailed(ILogger logger, int outputId, string message);

    [LoggerMessage(EventId = LogEvents.RtspUnauthorized, Level = LogLevel.Warning, Message = "output {OutputId}: {Client} gave wrong RTSP credentials")]
    private static partial void LogUnauthorized(ILogger logger, int outputId, string client);
}
