using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Diagnostics;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Plugins;

namespace MjpgStreamer.Outputs;

/// <summary>
/// output_udp.so (the original's UDP-triggered file saver): each datagram names a file in the folder (-f); the next
/// camera frame (or, after 3 s without one, the newest) is saved there and the datagram is sent back; a name that
/// is not a plain name in the folder gets "error: …" back and nothing is written. Listens on 127.0.0.1 unless -l
/// says otherwise (the original listened on every address, without authentication).
/// </summary>
internal sealed partial class UdpOutput : IOutput
{
    public const string Name = "output_udp.so";

    /// <summary>How long a datagram waits for a frame newer than itself before the newest one is saved.</summary>
    public static readonly TimeSpan FrameWait = TimeSpan.FromSeconds(3);

    public static readonly OutputPlugin Descriptor = new(
        Name,
        "UDP output plugin",
        Specs,
        Help,
        static parsed =>
        {
            var options = UdpOutputOptions.From(parsed);
            return context => new UdpOutput(context, options);
        })
    {
        Summary = "saves a frame into a file a UDP datagram names (-p PORT -l ADDRESS -f FOLDER -c COMMAND)",
    };

    private static IReadOnlyList<OptionSpec> Specs =>
    [
        new("p", true, "p", "port"),
        new("l", true, "l", "listen"),
        new("f", true, "f", "folder"),
        new("i", true, "i", "input"),
        new("d", true, "d", "delay"),
        new("c", true, "c", "command"),
    ];

    private static string Help => PluginHelp.Format(
        "output",
        "UDP output plugin",
        ("[-p | --port ]", "UDP port to listen for picture requests (required)"),
        ("[-l | --listen ]", "address to listen on (default 127.0.0.1)"),
        ("[-f | --folder ]", "folder the requested files are saved in (default /tmp)"),
        ("[-i | --input ]", "read frames from the specified input plugin"),
        ("[-d | --delay ]", "delay after saving pictures in ms"),
        ("[-c | --command ]", "execute command after saving picture (no shell; the\nfile is its last argument and MJPG_FILE)"));

    private readonly OutputContext _context;
    private readonly UdpOutputOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly OutputCommand? _command;
    private readonly Lock _gate = new();
    private Socket? _socket;
    private Task _serving = Task.CompletedTask;
    private long _requests;
    private long _written;
    private long _refused;
    private long _errors;
    private string? _lastFile;
    private string? _lastError;

    public UdpOutput(OutputContext context, UdpOutputOptions options)
    {
        _context = context;
        _options = options;
        _logger = context.LoggerFactory.CreateLogger("output_udp");
        if (options.Command is { } words)
        {
            _command = new OutputCommand(words, $"output {context.Id} -c", _logger, context.Time, _stop.Token);
        }
    }

    public int Id => _context.Id;

    public string Plugin => _context.Plugin;

    public string Args => _context.Args;

    public string DisplayName => "UDP output plugin";

    public bool IsAlive => _socket is not null && !_serving.IsCompleted;

    /// <summary>The UDP port bound.</summary>
    public int BoundPort { get; private set; }

    public string? ReadyText => null;

    public Task StartAsync(CancellationToken cancellation)
    {
        var inputs = _context.Streamer.Inputs.Count;
        if (_options.Input >= inputs)
        {
            throw new StartupException($"{Plugin}: -i {_options.Input} but there {(inputs == 1 ? "is 1 input" : $"are {inputs} inputs")} (numbered from 0)");
        }

        _options.Folder.CheckWritable(Plugin);
        var socket = new Socket(_options.Address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(new IPEndPoint(_options.Address, _options.Port));
        }
        catch (SocketException e)
        {
            socket.Dispose();
            var on = $"{_options.Address}:{_options.Port}";
            throw new StartupException(e.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => $"{Plugin}: UDP port {on} is in use",
                SocketError.AddressNotAvailable => $"{Plugin}: {_options.Address} is not an address of this machine",
                SocketError.AccessDenied => $"{Plugin}: no permission to listen on UDP port {on}",
                _ => $"{Plugin}: cannot listen on UDP port {on}: {e.Message}",
            });
        }

        _socket = socket;
        BoundPort = ((IPEndPoint)socket.LocalEndPoint!).Port;
        LogListening(_logger, Id, _options.Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{_options.Address}]:{BoundPort}" : $"{_options.Address}:{BoundPort}", _options.Folder.Path);
        _serving = Task.Run(() => ServeAsync(socket, _stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task ServeAsync(Socket socket, CancellationToken stop)
    {
        var buffer = new byte[65536];
        EndPoint any = new IPEndPoint(_options.Address.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
            {
                // An ICMP "port unreachable" from an earlier answer, or an oversized datagram: next one.
                continue;
            }

            if (received.ReceivedBytes == 0)
            {
                continue;
            }

            var datagram = buffer.AsMemory(0, received.ReceivedBytes).ToArray();
            var answer = await HandleAsync(datagram, stop);
            if (answer is null)
            {
                return;
            }

            try
            {
                await socket.SendToAsync(answer, SocketFlags.None, received.RemoteEndPoint, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                // The sender is gone; nothing to tell it.
            }

            if (_options.DelayMs > 0 && answer == datagram)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(_options.DelayMs), _context.Time, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>The answer: the datagram itself once saved, "error: …" when refused or failed; null when stopping.</summary>
    private async Task<byte[]?> HandleAsync(byte[] datagram, CancellationToken stop)
    {
        lock (_gate)
        {
            _requests++;
        }

        // The name as sent, without the line end or NUL a shell tool adds.
        var name = Encoding.UTF8.GetString(datagram).TrimEnd('\n', '\r', '\0');
        if (OutputFolder.Refusal(name) is { } refused)
        {
            lock (_gate)
            {
                _refused++;
            }

            LogRefused(_logger, Id, refused);
            return Encoding.UTF8.GetBytes("error: " + refused);
        }

        Frame? frame;
        try
        {
            frame = await NextFrameAsync(_context.Streamer.Inputs[_options.Input].Hub, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return null;
        }

        if (frame is null)
        {
            return Encoding.UTF8.GetBytes($"error: no frame from input {_options.Input} yet");
        }

        string path;
        try
        {
            path = _options.Folder.Write(name, frame.Span);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            lock (_gate)
            {
                _errors++;
                _lastError = e.Message;
            }

            LogFailed(_logger, Id, _options.Folder.PathOf(name), e.Message);
            return Encoding.UTF8.GetBytes("error: cannot save " + name + ": " + e.Message);
        }
        finally
        {
            frame.Release();
        }

        lock (_gate)
        {
            _written++;
            _lastFile = path;
        }

        LogSaved(_logger, Id, path);
        _command?.TryStart(path);
        return datagram;
    }

    /// <summary>The first camera frame after now; after <see cref="FrameWait"/> without one, the newest (null: none yet).</summary>
    private async Task<Frame?> NextFrameAsync(LatestFrameHub hub, CancellationToken stop)
    {
        using var timeout = new CancellationTokenSource(FrameWait, _context.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
        // Off the camera's thread: the caller writes the file.
        using (var subscriber = hub.Subscribe(linked.Token, startWithCurrent: false, mayRunInline: false))
        {
            try
            {
                while (true)
                {
                    var frame = await subscriber.NextAsync();
                    if (frame is null || !frame.IsPlaceholder)
                    {
                        return frame;
                    }

                    frame.Release();
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stop.IsCancellationRequested)
            {
            }
        }

        return hub.AcquireLastReal();
    }

    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        await _serving;
        if (_command is not null)
        {
            await _command.WhenIdleAsync();
        }

        _socket?.Dispose();
        _socket = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    public void WriteState(Utf8JsonWriter writer)
    {
        lock (_gate)
        {
            writer.WriteNumber("udp_port", BoundPort);
            writer.WriteString("listen", _options.Address.ToString());
            writer.WriteNumber("input", _options.Input);
            writer.WriteString("folder", _options.Folder.Path);
            writer.WriteNumber("requests", _requests);
            writer.WriteNumber("files_written", _written);
            writer.WriteNumber("refused", _refused);
            writer.WriteString("last_file", _lastFile);
            writer.WriteNumber("write_errors", _errors);
            writer.WriteString("last_error", _lastError);
            if (_command is { } command)
            {
                writer.WriteNumber("commands_started", command.Started);
                writer.WriteNumber("commands_skipped", command.Skipped);
                writer.WriteNumber("commands_failed", command.Failed);
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.UdpOutputListening, Level = LogLevel.Information, Message = "output {OutputId}: answering UDP datagrams on {Address}, saving into {Folder}")]
    private static partial void LogListening(ILogger logger, int outputId, string address, string folder);

    [LoggerMessage(EventId = LogEvents.UdpOutputRefused, Level = LogLevel.Warning, Message = "output {OutputId}: datagram refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, int outputId, string reason);

    [LoggerMessage(EventId = LogEvents.UdpOutputSaved, Level = LogLevel.Debug, Message = "output {OutputId}: saved {Path}")]
    private static partial void LogSaved(ILogger logger, int outputId, string path);

    [LoggerMessage(EventId = LogEvents.UdpOutputFailed, Level = LogLevel.Warning, Message = "output {OutputId}: cannot write {Path}: {Error}")]
    private static partial void LogFailed(ILogger logger, int outputId, string path, string error);
}
