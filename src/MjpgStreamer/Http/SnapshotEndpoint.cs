using Microsoft.AspNetCore.Http;
using MjpgStreamer.Core.Diagnostics;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Jpeg;
using MjpgStreamer.Plugins;

namespace MjpgStreamer.Http;

/// <summary>
/// ?action=snapshot: one JPEG, the first frame taken after the request arrived; after 3 s without one, the
/// last frame with X-Frame-Age; 503 when the input never produced a frame. A snapshot never hangs.
/// "width=W" and "quality=Q" scale that frame (<see cref="JpegScaler"/>, on the request's thread); without them
/// the frame goes out as captured (-stream_size and -stream_quality are the stream's, not the snapshot's).
/// </summary>
internal sealed class SnapshotEndpoint(int outputId, Streamer streamer)
{
    private readonly KeyValuePair<string, object?> _outputTag = StreamerMetrics.OutputTag(outputId);

    /// <summary>How long a snapshot waits for a frame taken after the request arrived.</summary>
    public static readonly TimeSpan SnapshotWait = TimeSpan.FromSeconds(3);

    public async Task HandleAsync(HttpContext context, int inputNumber, string? rawTarget = null)
    {
        if (inputNumber >= streamer.Inputs.Count)
        {
            await Responses.WriteErrorAsync(context, 404, "Invalid input plugin number");
            return;
        }

        var shapeQuery = default(ShapeQuery);
        if (rawTarget is not null && !ShapeQuery.TryParse(rawTarget, out shapeQuery, out var shapeError))
        {
            await Responses.WriteErrorAsync(context, 400, shapeError!);
            return;
        }

        var input = streamer.Inputs[inputNumber];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, streamer.Stopping);
        // A camera that is away (no signal) has no fresh frame to wait for: the last one goes out at once.
        var frame = input.Context.State is InputState.Starting or InputState.Streaming
            ? await WaitForFreshFrameAsync(input.Hub, stop.Token)
            : null;
        string? age = null;
        if (frame is null)
        {
            frame = input.Hub.AcquireLastReal();
            if (frame is null)
            {
                var reason = input.Context.Reason ?? "the input has not produced a frame yet";
                await Responses.WriteErrorAsync(context, 503, $"no frame from input {inputNumber}: {reason}");
                return;
            }

            if (input.Hub.LastRealFrameTimestamp is { } last)
            {
                age = streamer.Time.GetElapsedTime(last).TotalSeconds.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        try
        {
            var body = frame.Data;
            if (shapeQuery.Resolve(null, null, frame.Width, frame.Height) is { } shape)
            {
                if (Scale(frame, shape) is not { } scaled)
                {
                    await Responses.WriteErrorAsync(context, 500, $"the frame of input {inputNumber} could not be scaled");
                    return;
                }

                body = scaled;
            }

            var response = context.Response;
            response.StatusCode = 200;
            response.Headers.AccessControlAllowOrigin = "*";
            Responses.SetStandardHeaders(response);
            response.ContentType = "image/jpeg";
            response.Headers["X-Timestamp"] = MultipartFormat.FormatTimestamp(frame.TimestampUs);
            if (age is not null)
            {
                response.Headers["X-Frame-Age"] = age;
            }

            response.ContentLength = body.Length;
            if (!HttpMethods.IsHead(context.Request.Method))
            {
                await response.Body.WriteAsync(body, stop.Token);
                StreamerMetrics.FrameServed(_outputTag, input.Context.MetricsTag, body.Length, 0);
            }
        }
        finally
        {
            frame.Release();
        }
    }

    /// <summary>The frame scaled to <paramref name="shape"/>, or null when it is not a JPEG the scaler reads.</summary>
    private static byte[]? Scale(Frame frame, ShapeKey shape)
    {
        using var scaler = new JpegScaler();
        return scaler.TryScale(frame.Span, shape, out var result, out _, out _, out _) ? result.ToArray() : null;
    }

    /// <summary>The first real frame (not a NO SIGNAL placeholder) published after now, or null when none comes within the wait.</summary>
    private async Task<Frame?> WaitForFreshFrameAsync(LatestFrameHub hub, CancellationToken cancellation)
    {
        using var timeout = new CancellationTokenSource(SnapshotWait, streamer.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, timeout.Token);
        using var subscriber = hub.Subscribe(linked.Token, startWithCurrent: false);
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
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellation.IsCancellationRequested)
        {
            return null;
        }
    }
}
