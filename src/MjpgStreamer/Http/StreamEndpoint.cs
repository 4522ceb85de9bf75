using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Plugins;
using MjpgStreamer.Core.Diagnostics;
using MjpgStreamer.Core.Streaming;

namespace MjpgStreamer.Http;

/// <summary>
/// ?action=stream: the multipart stream of one input. Each client reads at its own pace from the input's hub
/// (a slow one skips frames, never slows another) and is listed in the registry, whose watchdog drops it
/// once a write has been pending for 30 s. With -max_clients N, the client after the N-th gets 503 with Retry-After.
/// A client may ask for fewer frames ("fps=5", or -stream_fps for all; <see cref="FramePacer"/>), and with
/// -drop_same_frames N a captured frame identical to the last one sent to the client is skipped, up to N in a row and never
/// for longer than <see cref="SameFrameKeepAlive"/>. A client with neither costs what it did before: one clock read per frame.
/// A client that asks for a size or quality ("width=480&amp;quality=60", or -stream_size/-scale/-stream_quality for
/// all) reads that shape's hub instead (<see cref="ShapedFrames"/>, shared by every client of the same shape).
/// </summary>
internal sealed partial class StreamEndpoint(int outputId, Streamer streamer, ClientRegistry clients, int maxClients, ILogger logger)
{
    /// <summary>-stream_size or -scale: the size of a client that does not ask (null: capture size).</summary>
    public ShapeKey? DefaultSize { get; init; }

    /// <summary>-stream_quality: the quality of a client that does not ask (null: as captured).</summary>
    public int? DefaultQuality { get; init; }

    private readonly KeyValuePair<string, object?> _outputTag = StreamerMetrics.OutputTag(outputId);

    /// <summary>What a client turned away by -max_clients is told to wait, in seconds.</summary>
    public const string RetryAfterSeconds = "5";

    /// <summary>An identical frame goes out anyway once this long has passed since the last frame sent (the keep-alive).</summary>
    public static readonly TimeSpan SameFrameKeepAlive = TimeSpan.FromSeconds(1);

    /// <summary>-stream_fps: the frame rate of a client that does not ask (null: every frame).</summary>
    public double? DefaultFps { get; init; }

    /// <summary>-drop_same_frames N (0: off).</summary>
    public int DropSameFrames { get; init; }

    public async Task HandleAsync(HttpContext context, int inputNumber, string rawTarget)
    {
        if (inputNumber >= streamer.Inputs.Count)
        {
            await Responses.WriteErrorAsync(context, 404, "Invalid input plugin number");
            return;
        }

        if (!StreamQuery.TryParse(rawTarget, out var query, out var error))
        {
            await Responses.WriteErrorAsync(context, 400, error!);
            return;
        }

        if (!ShapeQuery.TryParse(rawTarget, out var shapeQuery, out var shapeError))
        {
            await Responses.WriteErrorAsync(context, 400, shapeError!);
            return;
        }

        var askedFps = query.Fps ?? DefaultFps;
        var client = new StreamClient(context, rawTarget, streamer.Time) { AskedFps = askedFps };
        var isHead = HttpMethods.IsHead(context.Request.Method);
        if (!isHead && !clients.TryAdd(client, maxClients))
        {
            if (clients.Refused == 1)
            {
                LogFirstClientRefused(logger, outputId, client.Remote, maxClients);
            }
            else
            {
                LogClientRefused(logger, outputId, client.Remote, maxClients);
            }

            StreamerMetrics.Refused("max_clients");
            context.Response.Headers.RetryAfter = RetryAfterSeconds;
            await Responses.WriteErrorAsync(context, 503, $"too many stream clients (-max_clients {maxClients}); try again later");
            return;
        }

        var response = context.Response;
        response.StatusCode = 200;
        response.Headers.AccessControlAllowOrigin = "*";
        Responses.SetStandardHeaders(response);
        response.ContentType = MultipartFormat.ContentType;
        if (isHead)
        {
            return;
        }

        var input = streamer.Inputs[inputNumber];
        var shape = ResolveShape(shapeQuery, input);
        if (shape is { } sized && askedFps is { } shapeFps)
        {
            // The shape's worker paces: frames this client would skip are never scaled.
            shape = sized.WithFps(shapeFps);
        }

        var lease = shape is { } key ? streamer.ShapesOf(input).Acquire(key) : null;
        client.Shape = lease;
        var hub = lease?.Hub ?? input.Hub;
        // A stream client's FIN is taken as leaving (a short answer is still sent to a client that half-closed).
        var peerFinished = context.Features.Get<IPeerFinishedFeature>()?.PeerFinished ?? CancellationToken.None;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, streamer.Stopping, peerFinished);
        var token = stop.Token;
        var writer = response.BodyWriter;
        StreamerMetrics.StreamClientConnected(_outputTag);
        LogClientConnected(logger, outputId, client.Remote, rawTarget);
        var inputTag = input.Context.MetricsTag;
        long lastSequence = -1;
        var time = streamer.Time;
        var pacer = askedFps is { } fps && lease is null ? new FramePacer(fps, time.TimestampFrequency) : null;
        var dropSame = DropSameFrames;
        var keepAliveTicks = (long)(SameFrameKeepAlive.TotalSeconds * time.TimestampFrequency);
        var lastSentLength = -1;
        ulong lastSentHash = 0;
        long lastSentAt = 0;
        var sameInARow = 0;
        long skipped = 0;
        try
        {
            // Headers and the first boundary go out at once, before any frame exists (as the original).
            writer.Write(MultipartFormat.FirstBoundary);
            await writer.FlushAsync(token);
            using var subscriber = hub.Subscribe(token);
            while (!token.IsCancellationRequested)
            {
                var frame = await subscriber.NextAsync();
                if (frame is null)
                {
                    continue;
                }

                // Frames left out by fps= or -drop_same_frames are not counted as skipped (too slow a client).
                skipped += lastSequence < 0 ? 0 : frame.Sequence - lastSequence - 1;
                lastSequence = frame.Sequence;
                var now = time.GetTimestamp();
                if (pacer is not null && !pacer.TryTakeSlot(now))
                {
                    frame.Release();
                    continue;
                }

                if (dropSame > 0 && frame.IsPlaceholder)
                {
                    // The paused and no-signal pictures are the keep-alive themselves (about one a second): always sent.
                    lastSentLength = -1;
                    sameInARow = 0;
                }
                else if (dropSame > 0)
                {
                    var hash = frame.ContentHash;
                    if (frame.Length == lastSentLength && hash == lastSentHash && sameInARow < dropSame && now - lastSentAt < keepAliveTicks)
                    {
                        sameInARow++;
                        client.DroppedSameFrame();
                        frame.Release();
                        continue;
                    }

                    sameInARow = 0;
                    lastSentLength = frame.Length;
                    lastSentHash = hash;
                    lastSentAt = now;
                }

                int sent;
                try
                {
                    var header = writer.GetSpan(MultipartFormat.MaxPartHeaderLength);
                    var headerLength = MultipartFormat.WritePartHeader(header, frame.Length, frame.TimestampUs);
                    writer.Advance(headerLength);
                    writer.Write(frame.Span);
                    writer.Write(MultipartFormat.BoundaryAfterFrame);
                    sent = headerLength + frame.Length + MultipartFormat.BoundaryAfterFrame.Length;
                }
                finally
                {
                    frame.Release();
                }

                client.WriteStarted(now);
                var result = await writer.FlushAsync(token);
                client.FrameSent(sent);
                StreamerMetrics.FrameServed(_outputTag, inputTag, sent, skipped);
                skipped = 0;
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
            // The peer closed the connection.
        }
        finally
        {
            clients.Remove(client);
            lease?.Dispose();
            StreamerMetrics.StreamClientLeft(_outputTag);
            LogClientDisconnected(logger, outputId, client.Remote, client.BytesSent);
        }
    }

    /// <summary>The client's shape from its URL and the output's defaults, or null for the input's frames as they are.</summary>
    private ShapeKey? ResolveShape(ShapeQuery query, CameraStream input)
    {
        if (query.Width is null && query.Quality is null && DefaultSize is null && DefaultQuality is null)
        {
            return null;
        }

        var current = input.Hub.AcquireCurrent();
        var (width, height) = current is null ? (0, 0) : (current.Width, current.Height);
        current?.Release();
        return query.Resolve(DefaultSize, DefaultQuality, width, height);
    }

    [LoggerMessage(EventId = LogEvents.StreamEndpointClientConnected, Level = LogLevel.Debug, Message = "output {OutputId}: stream client {Remote} connected ({Path})")]
    private static partial void LogClientConnected(ILogger logger, int outputId, string remote, string path);

    [LoggerMessage(EventId = LogEvents.StreamEndpointFirstClientRefused, Level = LogLevel.Warning, Message = "output {OutputId}: stream client {Remote} refused with 503: {Max} stream clients already (-max_clients); later refusals are logged at debug level and counted in /state")]
    private static partial void LogFirstClientRefused(ILogger logger, int outputId, string remote, int max);

    [LoggerMessage(EventId = LogEvents.StreamEndpointClientRefused, Level = LogLevel.Debug, Message = "output {OutputId}: stream client {Remote} refused: {Max} stream clients already (-max_clients)")]
    private static partial void LogClientRefused(ILogger logger, int outputId, string remote, int max);

    [LoggerMessage(EventId = LogEvents.StreamEndpointClientDisconnected, Level = LogLevel.Debug, Message = "output {OutputId}: stream client {Remote} left after {Bytes} bytes")]
    private static partial void LogClientDisconnected(ILogger logger, int outputId, string remote, long bytes);
}
