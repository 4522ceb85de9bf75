using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using MjpgStreamer.Core.Diagnostics;
using MjpgStreamer.Plugins;

namespace MjpgStreamer.Http;

/// <summary>
/// The request handler of one output_http instance: refuses what <see cref="RequestGuard"/> refuses (-hosts,
/// cross-site side effects), checks the credentials, routes each request to its
/// endpoint family (mjpg-streamer's API plus ours, docs/compatibility.md), and ends quietly when the client
/// goes away or the server stops.
/// </summary>
internal sealed class HttpApi
{
    private readonly Streamer _streamer;
    private readonly byte[]? _expectedCredentials;
    private readonly StreamEndpoint _stream;
    private readonly SnapshotEndpoint _snapshot;
    private readonly StillEndpoint _still;
    private readonly JsonEndpoints _json;
    private readonly CommandEndpoint _command;
    private readonly PauseEndpoint _pause;
    private readonly FileEndpoint _files;
    private readonly RequestGuard _guard;
    private readonly TakeEndpoint _take;

    public HttpApi(int outputId, HttpOutputOptions options, Streamer streamer, ClientRegistry clients, ILogger logger)
    {
        _streamer = streamer;
        _expectedCredentials = options.Credentials is null ? null : Encoding.UTF8.GetBytes(options.Credentials);
        _stream = new StreamEndpoint(outputId, streamer, clients, options.MaxClients, logger)
        {
            DefaultFps = options.StreamFps,
            DropSameFrames = options.DropSameFrames,
            DefaultSize = options.StreamSize,
            DefaultQuality = options.StreamQuality,
        };
        _snapshot = new SnapshotEndpoint(outputId, streamer);
        _still = new StillEndpoint(outputId, streamer, logger);
        _json = new JsonEndpoints(outputId, streamer);
        _command = new CommandEndpoint(options, streamer, logger);
        _pause = new PauseEndpoint(options, streamer);
        _files = new FileEndpoint(options);
        _guard = new RequestGuard(outputId, options, logger);
        _take = new TakeEndpoint(options, streamer, _snapshot);
    }

    public async Task HandleAsync(HttpContext context)
    {
        var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        try
        {
            if (context.Features.Get<ISentHttp11Feature>() is { SentHttp11: true } && !context.Request.Headers.ContainsKey(HeaderNames.Host))
            {
                // What Kestrel answers an HTTP/1.1 request without Host (RFC 9112), which it was shown as HTTP/1.0.
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                context.Response.Headers.Connection = "close";
                context.Response.ContentLength = 0;
                return;
            }

            // -hosts and cross-site side effects first: such a request never gets as far as a password prompt.
            var route = RequestRoute.From(context.Request.Method, rawTarget);
            if (_guard.Refusal(context, route) is { } refusal)
            {
                await Responses.WriteErrorAsync(context, 403, refusal);
                return;
            }

            if (!IsAuthorized(context.Request))
            {
                StreamerMetrics.Refused("auth");
                await Responses.WriteErrorAsync(context, 401, "username and password do not match to configuration");
                return;
            }

            await (route.Kind switch
            {
                RouteKind.Malformed => Responses.WriteErrorAsync(context, 400, "Malformed HTTP request"),
                RouteKind.Snapshot => _snapshot.HandleAsync(context, route.Number, rawTarget),
                RouteKind.Stream => _stream.HandleAsync(context, route.Number, rawTarget),
                RouteKind.Command => _command.HandleAsync(context, rawTarget),
                RouteKind.Take => _take.HandleAsync(context, rawTarget),
                RouteKind.InputJson => _json.InputAsync(context, route.Number),
                RouteKind.OutputJson => _json.OutputAsync(context, route.Number),
                RouteKind.ProgramJson => _json.ProgramAsync(context),
                RouteKind.State => _json.StateAsync(context),
                RouteKind.Metrics => MetricsEndpoint.HandleAsync(context),
                RouteKind.Still => _still.HandleAsync(context, route.Number),
                RouteKind.Pause => _pause.HandleAsync(context, rawTarget, pause: true),
                RouteKind.Resume => _pause.HandleAsync(context, rawTarget, pause: false),
                RouteKind.Page => PageEndpoint.HandleAsync(context, rawTarget),
                _ => _files.HandleAsync(context, rawTarget),
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
}
