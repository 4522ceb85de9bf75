using Microsoft.AspNetCore.Http;
using MjpgStreamer.Core.Diagnostics;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Plugins;

namespace MjpgStreamer.Http;

/// <summary>
/// ?action=snapshot: one JPEG, the first frame taken after the request arrived; after 3 s without one, the
/// last frame with X-Frame-Age; 503 when the input never produced a frame. A snapshot never hangs.
/// </summary>
internal sealed class SnapshotEndpoint(int outputId, Streamer streamer)
{
    private readonly KeyValuePair<string, object?> _outputTag = StreamerMetrics.OutputTag(outputId);

    /// <summary>How long a snapshot waits for a frame taken after the request arrived.</summary>
    public static readonly TimeSpan SnapshotWait = TimeSpan.FromSeconds(3);

    public async Task HandleAsync(HttpContext context, int inputNumber)
    {
        if (inputNumber >= streamer.Inputs.Count)
        {
            await Responses.WriteErrorAsync(context, 404, "Invalid input plugin number");
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

            response.ContentLength = frame.Length;
            if (!HttpMethods.IsHead(context.Request.Method))
            {
                await response.Body.WriteAsync(frame.Data, stop.Token);
                StreamerMetrics.FrameServed(_outputTag, input.Context.MetricsTag, frame.Length, 0);
            }
        }
        finally
        {
            frame.Release();
        }
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
