using Microsoft.AspNetCore.Http;
using MjpgStreamer.Core.Diagnostics;

namespace MjpgStreamer.Http;

/// <summary>
/// /metrics: the counters of <see cref="StreamerMetrics"/> in the Prometheus text format 0.0.4 (for a Prometheus
/// scrape). Read only: it changes nothing; behind the credentials of -c like every route.
/// </summary>
internal static class MetricsEndpoint
{
    public static Task HandleAsync(HttpContext context) =>
        Responses.WriteTextAsync(context, PrometheusCollector.ContentType, PrometheusCollector.Shared.WriteText());
}
