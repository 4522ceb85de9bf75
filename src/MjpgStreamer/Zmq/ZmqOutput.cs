using System.Text.Json;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Diagnostics;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Plugins;
using NetMQ;
using NetMQ.Sockets;

namespace MjpgStreamer.Zmq;

/// <summary>
/// output_zmqserver.so: publishes one input's frames on a ZeroMQ socket, <c>-b</c> frames per two-part message: the
/// topic <c>frames</c>, then a protobuf <c>pb.Package</c> (package.proto, <see cref="FramePackage"/>), as
/// mjpg-streamer's output_zmqserver does for Machinekit's QtQuickVcp. The socket is an XPUB, which SUB clients see as
/// the PUB they expect, and which tells us of their subscriptions: the input is read (and a camera that encodes on
/// demand encodes) only while some client subscribes to a prefix of <c>frames</c>. With <c>-m</c> the frames go to
/// stdout instead, as concatenated JPEGs, all the time.
/// <para>Threads: the socket belongs to one NetMQ poller thread, <c>output_zmq</c>, which reads subscriptions and sends
/// the packages it is handed through a <see cref="NetMQQueue{T}"/>; an async loop reads the hub and packs.</para>
/// </summary>
internal sealed partial class ZmqOutput : IOutput
{
    public const string Name = "output_zmqserver.so";

    /// <summary>The first part of every message.</summary>
    public const string Topic = "frames";

    /// <summary>
    /// Messages a slow subscriber may have waiting before newer ones are dropped for it (ZeroMQ's default, 1000, would
    /// hold minutes of video per stalled client).
    /// </summary>
    private const int SendHighWatermark = 2;

    public static readonly OutputPlugin Descriptor = new(
        Name,
        "ZMQ output plugin",
        ZmqOutputOptions.Specs,
        ZmqOutputOptions.Help,
        static parsed =>
        {
            var options = ZmqOutputOptions.From(parsed);
            var ignored = string.Join(", ", ZmqOutputOptions.IgnoredKeys.Where(parsed.Has).Select(k => "-" + k));
            return context => new ZmqOutput(context, options, ignored);
        })
    {
        Summary = "ZeroMQ publisher of protobuf frame packages (-a tcp://*:5555 -b N -i INPUT)",
    };

    private readonly OutputContext _context;
    private readonly ZmqOutputOptions _options;
    private readonly string _ignored;
    private readonly ILogger _logger;
    private readonly LatestFrameHub _hub;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly HashSet<string> _topics = new(StringComparer.Ordinal);
    private XPublisherSocket? _socket;
    private NetMQQueue<(byte[] Buffer, int Length, int Frames)>? _outbox;
    private NetMQPoller? _poller;
    private Task? _run;
    private CancellationTokenSource? _whileListening;
    private TaskCompletionSource _listenersChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _listening;
    private long _messages;
    private long _frames;
    private long _bytes;
    private int _stopped;

    public ZmqOutput(OutputContext context, ZmqOutputOptions options, string ignored)
    {
        _context = context;
        _options = options;
        _ignored = ignored;
        _logger = context.LoggerFactory.CreateLogger("output_zmqserver");
        var inputs = context.Streamer.Inputs;
        if (options.Input >= inputs.Count)
        {
            throw new StartupException($"{context.Plugin}: -i {options.Input} names no input (there {(inputs.Count == 1 ? "is 1 input" : $"are {inputs.Count} inputs")})");
        }

        _hub = inputs[options.Input].Hub;
        Args = context.Args;
    }

    public int Id => _context.Id;

    public string Plugin => _context.Plugin;

    public string Args { get; }

    public string DisplayName => "ZMQ output plugin";

    /// <summary>The endpoint bound, with the real port when -a asked for port 0 (null with -m).</summary>
    public string? Endpoint { get; private set; }

    public bool IsAlive => Volatile.Read(ref _stopped) == 0 && _run is { IsCompleted: false };

    public string? ReadyText => Endpoint;

    public Task StartAsync(CancellationToken cancellation)
    {
        if (_ignored.Length > 0)
        {
            LogIgnored(_logger, Id, _ignored);
        }

        if (_options.ToStdout)
        {
            LogStdout(_logger, Id, _options.Input);
            _run = Task.Run(() => WriteToStdoutAsync(_stop.Token), CancellationToken.None);
            return Task.CompletedTask;
        }

        var socket = new XPublisherSocket();
        try
        {
            socket.Options.Linger = TimeSpan.Zero;
            socket.Options.SendHighWatermark = SendHighWatermark;
            socket.Bind(_options.Address!);
            Endpoint = socket.Options.LastEndpoint;
        }
        catch (Exception ex) when (ex is NetMQException or ArgumentException or System.Net.Sockets.SocketException)
        {
            socket.Dispose();
            throw new StartupException($"{Plugin}: cannot bind {_options.Address}: {ex.Message}");
        }

        _socket = socket;
        _outbox = new NetMQQueue<(byte[] Buffer, int Length, int Frames)>();
        socket.ReceiveReady += (_, _) => ReadSubscriptions();
        _outbox.ReceiveReady += (_, _) => SendQueued();
        _poller = [socket, _outbox];
        _poller.RunAsync("output_zmq", isBackgroundThread: true);
        LogPublishing(_logger, Id, Endpoint ?? _options.Address!, _options.Input, _options.BufferSize);
        _run = Task.Run(() => PublishAsync(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>
    /// While a client subscribes: read the hub, pack each frame as it comes (its buffer is released at once), hand
    /// every full package to the poller thread. When the last client leaves, the half-full package is dropped and the
    /// hub let go (so an input that works on demand rests).
    /// </summary>
    private async Task PublishAsync(CancellationToken stop)
    {
        var package = new FramePackage();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var listening = await WaitForListenersAsync(stop);
                try
                {
                    using var subscriber = _hub.Subscribe(listening.Token);
                    await PackWhileListeningAsync(subscriber, package);
                }
                finally
                {
                    EndListening(listening);
                }
            }
            catch (OperationCanceledException)
            {
                package.Clear();
            }
            catch (Exception ex)
            {
                // Not expected: said once, and the output stops (IsAlive turns false for the systemd watchdog).
                LogFailed(_logger, Id, ex);
                throw;
            }
        }
    }

    private async Task PackWhileListeningAsync(FrameSubscriber subscriber, FramePackage package)
    {
        while (true)
        {
            var frame = await subscriber.NextAsync();
            if (frame is null)
            {
                continue;
            }

            try
            {
                package.Add(frame.Span, frame.TimestampUs, _context.Time.GetUtcNow().ToUnixTimeSeconds());
            }
            finally
            {
                frame.Release();
            }

            if (package.Count >= _options.BufferSize)
            {
                var frames = package.Count;
                var (buffer, length) = package.Detach();
                _outbox!.Enqueue((buffer, length, frames));
            }
        }
    }

    /// <summary>-m: every frame of the input, as it comes, to stdout (concatenated JPEGs, as output_file's -m writes).</summary>
    private async Task WriteToStdoutAsync(CancellationToken stop)
    {
        using var stdout = Console.OpenStandardOutput();
        using var subscriber = _hub.Subscribe(stop);
        try
        {
            while (true)
            {
                var frame = await subscriber.NextAsync();
                if (frame is null)
                {
                    continue;
                }

                var length = frame.Length;
                try
                {
                    await stdout.WriteAsync(frame.Data, stop);
                    await stdout.FlushAsync(stop);
                }
                finally
                {
                    frame.Release();
                }

                Interlocked.Increment(ref _frames);
                Interlocked.Add(ref _bytes, length);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (IOException ex)
        {
            // A closed pipe (the reader went away): this output stops, the process goes on (as output_file's writer).
            LogStdoutFailed(_logger, Id, ex.Message);
            Volatile.Write(ref _stopped, 1);
        }
    }

    /// <summary>On the poller thread: XPUB hands up "\x01topic" for a first subscription and "\x00topic" for a last unsubscription.</summary>
    private void ReadSubscriptions()
    {
        while (_socket!.TryReceiveFrameBytes(TimeSpan.Zero, out var message))
        {
            if (message.Length == 0 || message[0] > 1)
            {
                continue;
            }

            // A subscription matches when the topic starts with it ("" and "f" match, as SUB's prefix filter does).
            var topic = System.Text.Encoding.Latin1.GetString(message, 1, message.Length - 1);
            if (!Topic.StartsWith(topic, StringComparison.Ordinal))
            {
                continue;
            }

            bool changed;
            lock (_gate)
            {
                _ = message[0] == 1 ? _topics.Add(topic) : _topics.Remove(topic);
                var listening = _topics.Count > 0;
                changed = listening != _listening;
                _listening = listening;
                if (changed)
                {
                    if (!listening)
                    {
                        _whileListening?.Cancel();
                        _whileListening = null;
                    }

                    var old = _listenersChanged;
                    _listenersChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    old.TrySetResult();
                }
            }

            if (changed)
            {
                LogListeners(_logger, Id, _listening ? "a client subscribes" : "no client subscribes");
            }
        }
    }

    /// <summary>On the poller thread: sends what the packer queued; a client at its high-water mark misses it.</summary>
    private void SendQueued()
    {
        while (_outbox!.TryDequeue(out var item, TimeSpan.Zero))
        {
            var socket = _socket!;
            if (!socket.TrySendFrame(TimeSpan.Zero, Topic, more: true))
            {
                continue;
            }

            var msg = default(Msg);
            msg.InitGC(item.Buffer, 0, item.Length);
            socket.TrySend(ref msg, TimeSpan.Zero, more: false);
            msg.Close();
            Interlocked.Increment(ref _messages);
            Interlocked.Add(ref _frames, item.Frames);
            Interlocked.Add(ref _bytes, item.Length);
        }
    }

    /// <summary>
    /// Waits until a client subscribes, then returns a token that is cancelled when none does any more (or on stop).
    /// The poller thread cancels it under the same lock in which it clears the field, so it is never cancelled after
    /// <see cref="EndListening"/> disposed it.
    /// </summary>
    private async Task<CancellationTokenSource> WaitForListenersAsync(CancellationToken stop)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_listening)
                {
                    _whileListening = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    return _whileListening;
                }

                changed = _listenersChanged.Task;
            }

            await changed.WaitAsync(stop);
        }
    }

    private void EndListening(CancellationTokenSource listening)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_whileListening, listening))
            {
                _whileListening = null;
            }
        }

        listening.Dispose();
    }

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        if (_run is { } run)
        {
            await run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (_poller is { } poller)
        {
            poller.Stop();
            poller.Dispose();
        }

        _outbox?.Dispose();
        _socket?.Dispose();
    }

    public void WriteState(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("address", Endpoint ?? (_options.ToStdout ? "stdout" : _options.Address));
        writer.WriteNumber("input", _options.Input);
        writer.WriteNumber("buffer_size", _options.BufferSize);
        if (!_options.ToStdout)
        {
            lock (_gate)
            {
                writer.WriteBoolean("subscribed", _listening);
            }

            writer.WriteNumber("messages", Interlocked.Read(ref _messages));
        }

        writer.WriteNumber("frames", Interlocked.Read(ref _frames));
        writer.WriteNumber("bytes", Interlocked.Read(ref _bytes));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    [LoggerMessage(EventId = LogEvents.ZmqOutputPublishing, Level = LogLevel.Information, Message = "output {OutputId}: publishing input {Input} on {Endpoint}, {Frames} frame(s) per message")]
    private static partial void LogPublishing(ILogger logger, int outputId, string endpoint, int input, int frames);

    [LoggerMessage(EventId = LogEvents.ZmqOutputStdout, Level = LogLevel.Information, Message = "output {OutputId}: writing input {Input}'s frames to stdout (-m)")]
    private static partial void LogStdout(ILogger logger, int outputId, int input);

    [LoggerMessage(EventId = LogEvents.ZmqOutputIgnoredOptions, Level = LogLevel.Information, Message = "output {OutputId}: {Options} accepted for compatibility and ignored")]
    private static partial void LogIgnored(ILogger logger, int outputId, string options);

    [LoggerMessage(EventId = LogEvents.ZmqOutputListeners, Level = LogLevel.Information, Message = "output {OutputId}: {What}")]
    private static partial void LogListeners(ILogger logger, int outputId, string what);

    [LoggerMessage(EventId = LogEvents.ZmqOutputFailed, Level = LogLevel.Error, Message = "output {OutputId}: publishing stopped")]
    private static partial void LogFailed(ILogger logger, int outputId, Exception exception);

    [LoggerMessage(EventId = LogEvents.ZmqOutputStdoutFailed, Level = LogLevel.Warning, Message = "output {OutputId}: writing to stdout failed, no more frames are written: {Error}")]
    private static partial void LogStdoutFailed(ILogger logger, int outputId, string error);
}
