using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Plugins;
using MjpgStreamer.Core.Diagnostics;

namespace MjpgStreamer.Http;

/// <summary>
/// ?action=still: a full-resolution JPEG while the stream keeps its own size and its clients; within the
/// still budget or 503 with the reason, and X-Still-Ms says how long it took. One still is taken and one waits
/// per input; a third at once is 429 with Retry-After, so a flood of stills slows the stills, not the stream.
/// </summary>
internal sealed partial class StillEndpoint(int outputId, Streamer streamer, ILogger logger)
{
    /// <summary>
    /// How long a still may take before it is given up (Octolapse and OctoPrint give up after 5 s); ending a
    /// still tool that hangs takes up to a second more, and the 503 must still come within the 5 s.
    /// </summary>
    public static readonly TimeSpan StillWait = TimeSpan.FromSeconds(3.5);

    public async Task HandleAsync(HttpContext context, int inputNumber)
    {
        if (inputNumber >= streamer.Inputs.Count)
        {
            await Responses.WriteErrorAsync(context, 404, "Invalid input plugin number");
            return;
        }

        var input = streamer.Inputs[inputNumber];
        using var timeout = new CancellationTokenSource(StillWait, streamer.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, context.RequestAborted, streamer.Stopping);
        byte[] jpeg;
        var started = streamer.Time.GetTimestamp();
        try
        {
            jpeg = await input.TakeStillAsync(linked.Token);
        }
        catch (Core.Sources.StillBusyException ex)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(ex.RetryAfter.TotalSeconds));
            LogStillBusy(logger, outputId, inputNumber, seconds);
            StreamerMetrics.Refused("stills_busy");
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Responses.WriteErrorAsync(context, 429, $"input {inputNumber} is busy with stills: {ex.Message}; retry after {seconds} s");
            return;
        }
        catch (Core.Sources.StillFailedException ex)
        {
            LogStillRefused(logger, outputId, inputNumber, ex.Message);
            await Responses.WriteErrorAsync(context, 503, $"no still from input {inputNumber}: {ex.Message}");
            return;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            LogStillRefused(logger, outputId, inputNumber, "timed out");
            await Responses.WriteErrorAsync(context, 503, $"no still from input {inputNumber} within {StillWait.TotalSeconds:0.0} s");
            return;
        }

        var response = context.Response;
        response.StatusCode = 200;
        Responses.SetStandardHeaders(response);
        response.ContentType = "image/jpeg";
        response.Headers["X-Timestamp"] = MultipartFormat.FormatTimestamp(input.Context.NowMicroseconds());
        response.Headers["X-Still-Ms"] = ((int)streamer.Time.GetElapsedTime(started).TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.ContentLength = jpeg.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(jpeg, context.RequestAborted);
        }
    }

    [LoggerMessage(EventId = LogEvents.StillEndpointStillRefused, Level = LogLevel.Warning, Message = "output {OutputId}: no still from input {InputId}: {Reason}")]
    private static partial void LogStillRefused(ILogger logger, int outputId, int inputId, string reason);

    [LoggerMessage(EventId = LogEvents.StillEndpointStillBusy, Level = LogLevel.Debug, Message = "output {OutputId}: input {InputId} is busy with stills: 429, retry after {Seconds} s")]
    private static partial void LogStillBusy(ILogger logger, int outputId, int inputId, int seconds);
}
