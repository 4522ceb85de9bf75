using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Plugins;

namespace MjpgStreamer.Http;

/// <summary>The request handler of one output_http instance: mjpg-streamer's API (spec §5) plus ours.</summary>
internal sealed partial class HttpApi
{
    /// <summary>How long a snapshot waits for a frame taken after the request arrived.</summary>
    public static readonly TimeSpan SnapshotWait = TimeSpan.FromSeconds(3);

    /// <summary>How long ?action=pause&amp;wait=1 waits for every input to be released (or streaming, for resume).</summary>
    public static readonly TimeSpan PauseWait = TimeSpan.FromSeconds(10);


    /// <summary>
    /// How long a still may take before it is given up (Octolapse and OctoPrint give up after 5 s); ending a
    /// still tool that hangs takes up to a second more, and the 503 must still come within the 5 s.
    /// </summary>
    public static readonly TimeSpan StillWait = TimeSpan.FromSeconds(3.5);

    private readonly HttpOutputOptions _options;
    private readonly Streamer _streamer;
    private readonly ClientRegistry _clients;
    private readonly ILogger _logger;
    private readonly int _outputId;
    private readonly byte[]? _expectedCredentials;

    public HttpApi(int outputId, HttpOutputOptions options, Streamer streamer, ClientRegistry clients, ILogger logger)
    {
        _outputId = outputId;
        _options = options;
        _streamer = streamer;
        _clients = clients;
        _logger = logger;
        _expectedCredentials = options.Credentials is null ? null : Encoding.UTF8.GetBytes(options.Credentials);
    }

    public async Task HandleAsync(HttpContext context)
    {
        var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        try
        {
            if (!IsAuthorized(context.Request))
            {
                await Responses.WriteErrorAsync(context, 401, "username and password do not match to configuration");
                return;
            }

            var route = RequestRoute.From(context.Request.Method, rawTarget);
            await (route.Kind switch
            {
                RouteKind.Malformed => Responses.WriteErrorAsync(context, 400, "Malformed HTTP request"),
                RouteKind.Snapshot => SnapshotAsync(context, route.Number),
                RouteKind.Stream => StreamAsync(context, route.Number, rawTarget),
                RouteKind.Command => CommandAsync(context, rawTarget),
                RouteKind.Take => Responses.WriteErrorAsync(context, 404, "FILE output plugin not loaded, taking snapshot not possible"),
                RouteKind.InputJson => route.Number < _streamer.Inputs.Count
                    ? Responses.WriteTextAsync(context, "application/x-javascript", JsonDocuments.Input(_streamer.Inputs[route.Number]))
                    : Responses.WriteErrorAsync(context, 404, "Invalid input plugin number"),
                RouteKind.OutputJson => route.Number < _streamer.Outputs.Count
                    ? Responses.WriteTextAsync(context, "application/x-javascript", JsonDocuments.Output(_streamer.Outputs[route.Number]))
                    : Responses.WriteErrorAsync(context, 404, "Invalid output plugin number"),
                RouteKind.ProgramJson => Responses.WriteTextAsync(context, "application/x-javascript", JsonDocuments.Program(_streamer)),
                RouteKind.State => StateAsync(context),
                RouteKind.Still => StillAsync(context, route.Number),
                RouteKind.Pause => PauseAsync(context, rawTarget, pause: true),
                RouteKind.Resume => PauseAsync(context, rawTarget, pause: false),
                _ => FileAsync(context, rawTarget),
            });
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested || _streamer.Stopping.IsCancellationRequested)
        {
            // The client went away or the server is stopping: nothing left to answer.
        }
    }

    private bool IsAuthorized(HttpRequest request)
    {
        if (_expectedCredentials is null)
        {
            return true;
        }

        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            var given = Convert.FromBase64String(header[6..].Trim());
            return CryptographicOperations.FixedTimeEquals(given, _expectedCredentials);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>?action=still: a full-resolution JPEG while the stream keeps its own size; 503 with the reason.</summary>
    private async Task StillAsync(HttpContext context, int inputNumber)
    {
        if (inputNumber >= _streamer.Inputs.Count)
        {
            await Responses.WriteErrorAsync(context, 404, "Invalid input plugin number");
            return;
        }

        var input = _streamer.Inputs[inputNumber];
        using var timeout = new CancellationTokenSource(StillWait, _streamer.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, context.RequestAborted, _streamer.Stopping);
        byte[] jpeg;
        var started = _streamer.Time.GetTimestamp();
        try
        {
            jpeg = await input.TakeStillAsync(linked.Token);
        }
        catch (Core.Sources.StillFailedException ex)
        {
            LogStillRefused(_logger, _outputId, inputNumber, ex.Message);
            await Responses.WriteErrorAsync(context, 503, $"no still from input {inputNumber}: {ex.Message}");
            return;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            LogStillRefused(_logger, _outputId, inputNumber, "timed out");
            await Responses.WriteErrorAsync(context, 503, $"no still from input {inputNumber} within {StillWait.TotalSeconds:0.0} s");
            return;
        }

        var response = context.Response;
        response.StatusCode = 200;
        response.Headers.AccessControlAllowOrigin = "*";
        Responses.SetStandardHeaders(response);
        response.ContentType = "image/jpeg";
        response.Headers["X-Timestamp"] = MultipartFormat.FormatTimestamp(input.Context.NowMicroseconds());
        response.Headers["X-Still-Ms"] = ((int)_streamer.Time.GetElapsedTime(started).TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.ContentLength = jpeg.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(jpeg, context.RequestAborted);
        }
    }

    private async Task SnapshotAsync(HttpContext context, int inputNumber)
    {
        if (inputNumber >= _streamer.Inputs.Count)
        {
            await Responses.WriteErrorAsync(context, 404, "Invalid input plugin number");
            return;
        }

        var input = _streamer.Inputs[inputNumber];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _streamer.Stopping);
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
                age = _streamer.Time.GetElapsedTime(last).TotalSeconds.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);
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
        using var timeout = new CancellationTokenSource(SnapshotWait, _streamer.Time);
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

    private async Task StreamAsync(HttpContext context, int inputNumber, string rawTarget)
    {
        if (inputNumber >= _streamer.Inputs.Count)
        {
            await Responses.WriteErrorAsync(context, 404, "Invalid input plugin number");
            return;
        }

        var response = context.Response;
        response.StatusCode = 200;
        response.Headers.AccessControlAllowOrigin = "*";
        Responses.SetStandardHeaders(response);
        response.ContentType = MultipartFormat.ContentType;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        var input = _streamer.Inputs[inputNumber];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _streamer.Stopping);
        var token = stop.Token;
        var writer = response.BodyWriter;
        var client = new StreamClient(context, rawTarget, _streamer.Time);
        _clients.Add(client);
        LogClientConnected(_logger, _outputId, client.Remote, rawTarget);
        try
        {
            // Headers and the first boundary go out at once, before any frame exists (as the original).
            writer.Write(MultipartFormat.FirstBoundary);
            await writer.FlushAsync(token);
            using var subscriber = input.Hub.Subscribe(token);
            while (!token.IsCancellationRequested)
            {
                var frame = await subscriber.NextAsync();
                if (frame is null)
                {
                    continue;
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

                client.WriteStarted(_streamer.Time.GetTimestamp());
                var result = await writer.FlushAsync(token);
                client.FrameSent(sent);
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
            _clients.Remove(client);
            LogClientDisconnected(_logger, _outputId, client.Remote, client.BytesSent);
        }
    }

    private async Task CommandAsync(HttpContext context, string rawTarget)
    {
        if (_options.NoCommands)
        {
            await Responses.WriteErrorAsync(context, 501, "this server is configured to not accept commands");
            return;
        }

        var question = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var parsed = CommandParser.Parse(question < 0 ? "" : rawTarget[(question + 1)..]);
        if (parsed.Command is not { } command)
        {
            await Responses.WriteErrorAsync(context, parsed.ErrorStatus, parsed.ErrorMessage!);
            return;
        }

        int result;
        switch (command.Dest)
        {
            case 0:
                result = command.Plugin >= 0 && command.Plugin < _streamer.Inputs.Count
                    ? await _streamer.Inputs[command.Plugin].Source.ExecuteCommandAsync(command, context.RequestAborted)
                    : -1;
                break;
            case 1:
                result = command.Plugin >= 0 && command.Plugin < _streamer.Outputs.Count
                    ? await _streamer.Outputs[command.Plugin].ExecuteCommandAsync(command, context.RequestAborted)
                    : -1;
                break;
            case 2:
                result = 0;
                break;
            default:
                LogIllegalDestination(_logger, command.Dest);
                result = -1;
                break;
        }

        await Responses.WriteTextAsync(context, "text/plain", $"{parsed.Token}: {result}");
    }

    /// <summary>
    /// ?action=pause / ?action=resume: the HTTP pause beside the lock file. With wait=1 the answer comes once
    /// every input has released its device (pause) or streams again (resume), or 504 after 10 s. An HTTP
    /// resume cannot lift a pause the lock file holds: 409.
    /// </summary>
    private async Task PauseAsync(HttpContext context, string rawTarget, bool pause)
    {
        if (_options.NoCommands)
        {
            await Responses.WriteErrorAsync(context, 501, "this server is configured to not accept commands");
            return;
        }

        var coordinator = _streamer.Pause!;
        coordinator.SetHttpPaused(pause);
        if (!pause && coordinator.Status.ByFile)
        {
            await Responses.WriteErrorAsync(context, 409, $"paused by the lock file {coordinator.LockFile}; remove it to resume");
            return;
        }

        var wait = rawTarget.Contains("wait=1", StringComparison.Ordinal);
        if (wait)
        {
            var target = pause ? InputState.Released : InputState.Streaming;
            using var timeout = new CancellationTokenSource(PauseWait, _streamer.Time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, context.RequestAborted, _streamer.Stopping);
            try
            {
                await Task.WhenAll(_streamer.Inputs.Select(i => i.Context.WaitForStateAsync(target, linked.Token)));
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                var waiting = string.Join(", ", _streamer.Inputs.Where(i => i.Context.State != target).Select(i => $"input {i.Id} is {i.Context.State.ToJsonName()}"));
                await Responses.WriteErrorAsync(context, 504, $"not {target.ToJsonName()} within {PauseWait.TotalSeconds:0} s: {waiting}");
                return;
            }
        }

        await Responses.WriteTextAsync(context, "application/json", JsonDocuments.PauseAnswer(_streamer));
    }

    private async Task StateAsync(HttpContext context)
    {
        var body = JsonDocuments.State(_streamer);
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.Headers.AccessControlAllowOrigin = "*";
        Responses.SetStandardHeaders(response);
        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    private async Task FileAsync(HttpContext context, string rawTarget)
    {
        var name = StaticFiles.NameFromTarget(rawTarget);
        if (_options.WwwFolder is null)
        {
            if (name.Length == 0)
            {
                await Responses.WriteTextAsync(context, "text/html", BuiltInPage.Render(_streamer));
                return;
            }

            await Responses.WriteErrorAsync(context, 501, "no www-folder configured");
            return;
        }

        if (name.Length == 0)
        {
            name = "index.html";
        }

        switch (StaticFiles.ContentTypeFor(name, out var contentType))
        {
            case StaticFiles.Lookup.NoExtension:
                await Responses.WriteErrorAsync(context, 400, "No file extension found");
                return;
            case StaticFiles.Lookup.UnknownType:
                await Responses.WriteErrorAsync(context, 404, "MIME-TYPE not known");
                return;
        }

        FileStream file;
        try
        {
            // Symlinks placed in the folder are followed (the pause fork's www/snap.jpg -> /run/snap.jpg).
            file = new FileStream(Path.Combine(_options.WwwFolder, name), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.Asynchronous);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await Responses.WriteErrorAsync(context, 404, "Could not open file");
            return;
        }

        await using (file)
        {
            var response = context.Response;
            response.StatusCode = 200;
            response.ContentType = contentType;
            Responses.SetStandardHeaders(response);
            if (!HttpMethods.IsHead(context.Request.Method))
            {
                await file.CopyToAsync(response.Body, context.RequestAborted);
            }
        }
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Debug, Message = "output {OutputId}: stream client {Remote} connected ({Path})")]
    private static partial void LogClientConnected(ILogger logger, int outputId, string remote, string path);

    [LoggerMessage(EventId = 201, Level = LogLevel.Debug, Message = "output {OutputId}: stream client {Remote} left after {Bytes} bytes")]
    private static partial void LogClientDisconnected(ILogger logger, int outputId, string remote, long bytes);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "output {OutputId}: no still from input {InputId}: {Reason}")]
    private static partial void LogStillRefused(ILogger logger, int outputId, int inputId, string reason);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "Illegal command destination {Dest}")]
    private static partial void LogIllegalDestination(ILogger logger, int dest);
}
