using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Diagnostics;

namespace MjpgStreamer.Http;

/// <summary>
/// The two refusals (403) before a request reaches its endpoint:
/// <list type="bullet">
/// <item>-hosts: a Host header (without its port) that is not in the list, which closes DNS rebinding. An
/// HTTP/1.0 request without a Host header is judged by the address it connected to instead, so a client
/// that sends no Host works exactly when it dials an address in the list.</item>
/// <item>Cross-site: a request with a side effect (<see cref="RequestRoute.HasSideEffect"/>) that a browser
/// marks as coming from another site's page: <c>Sec-Fetch-Site: cross-site</c> or <c>same-site</c>, or,
/// without Sec-Fetch-Site, an <c>Origin</c> whose host and port differ from the Host header's. The browser's
/// Sec-Fetch-Site is trusted when present (a page cannot forge it; <c>same-origin</c> passes even behind a
/// proxy that rewrites Host). A request with neither header (curl, scripts, OctoPrint, Octolapse) passes.</item>
/// </list>
/// </summary>
internal sealed partial class RequestGuard(int outputId, HttpOutputOptions options, ILogger logger)
{
    private readonly HashSet<string> _hosts = new(options.Hosts.Select(NormalizeHost), StringComparer.Ordinal);

    /// <summary>Why the request is refused (the 403 body's second line), or null when it may go on.</summary>
    public string? Refusal(HttpContext context, RequestRoute route)
    {
        if (_hosts.Count > 0 && !IsAllowedHost(context))
        {
            LogHostRefused(logger, outputId, context.Request.Host.Value ?? "(none)");
            StreamerMetrics.Refused("host");
            return "this server does not answer to that Host name (-hosts)";
        }

        if (route.HasSideEffect && CrossSiteReason(context.Request) is { } reason)
        {
            LogCrossSiteRefused(logger, outputId, reason);
            StreamerMetrics.Refused("cross_site");
            return $"cross-site request refused: {reason}";
        }

        return null;
    }

    private bool IsAllowedHost(HttpContext context)
    {
        var host = context.Request.Host;
        if (host.HasValue)
        {
            return _hosts.Contains(NormalizeHost(host.Host));
        }

        // HTTP/1.0 without Host: the address the client dialled stands in for the name (HTTP/1.1 requires Host;
        // HttpApi answers 400 before we get here). A browser always sends Host, so this opens no rebinding path.
        var local = context.Connection.LocalIpAddress;
        return local is not null && _hosts.Contains(NormalizeHost((local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local).ToString()));
    }

    /// <summary>Why a browser says the request comes from another site's page, or null.</summary>
    internal static string? CrossSiteReason(HttpRequest request)
    {
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString().Trim().ToLowerInvariant();
        switch (fetchSite)
        {
            case "cross-site" or "same-site":
                return $"Sec-Fetch-Site: {fetchSite}";
            case "same-origin" or "none":
                return null;
        }

        var origin = request.Headers.Origin.ToString().Trim();
        if (origin.Length == 0)
        {
            return null;
        }

        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Port < 0)
        {
            return "Origin is not a web page of this server";
        }

        var host = request.Host;
        if (!host.HasValue)
        {
            return "Origin given without a Host to compare it with";
        }

        // A Host without a port is the default port of the scheme the browser speaks (the Origin's): behind a TLS
        // proxy the page is https://octopi/ and the Host "octopi" means port 443, whatever this server listens on.
        var hostPort = host.Port ?? (uri.Scheme == "https" ? 443 : 80);
        return NormalizeHost(uri.Host) == NormalizeHost(host.Host) && uri.Port == hostPort
            ? null
            : "Origin differs from Host";
    }

    /// <summary>"OctoPi.local." → "octopi.local"; "[::1]" and "0:0::1" → "::1"; "127.0.0.1" stays.</summary>
    internal static string NormalizeHost(string host)
    {
        var name = host.Trim();
        if (name.StartsWith('[') && name.EndsWith(']'))
        {
            name = name[1..^1];
        }

        if (IPAddress.TryParse(name, out var address))
        {
            return address.ToString();
        }

        return name.TrimEnd('.').ToLowerInvariant();
    }

    [LoggerMessage(EventId = LogEvents.RequestGuardHostRefused, Level = LogLevel.Information, Message = "output {OutputId}: refused a request for Host {Host} (not in -hosts)")]
    private static partial void LogHostRefused(ILogger logger, int outputId, string host);

    [LoggerMessage(EventId = LogEvents.RequestGuardCrossSiteRefused, Level = LogLevel.Information, Message = "output {OutputId}: refused a cross-site request with a side effect ({Reason})")]
    private static partial void LogCrossSiteRefused(ILogger logger, int outputId, string reason);
}
