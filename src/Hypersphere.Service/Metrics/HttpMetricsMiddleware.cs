using System.Diagnostics;
using System.Globalization;

namespace Hypersphere.Service.Metrics;

/// <summary>
/// Counts and times every request by method, route template (<c>/v1/embeddings</c>, never a raw path, so
/// the label set stays small) and final status. It runs outside the exception handler, so it sees the status
/// of problem answers too, and after routing, so it knows the route when it starts.
/// </summary>
internal sealed class HttpMetricsMiddleware(RequestDelegate next, ServiceMetrics metrics)
{
    private static readonly HashSet<string> KnownMethods = new(StringComparer.Ordinal) { "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS" };

    public async Task InvokeAsync(HttpContext context)
    {
        var route = Template(context.GetEndpoint());
        var method = KnownMethods.Contains(context.Request.Method) ? context.Request.Method : "OTHER";
        var start = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var status = context.Response.StatusCode.ToString(CultureInfo.InvariantCulture);
            metrics.HttpRequests.WithLabels(method, route, status).Inc();
            metrics.HttpSeconds.WithLabels(method, route, status).Observe(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
    }

    // A group's empty sub-route ends in '/' ("/v1/embeddings/"); the label is the route as clients write it.
    private static string Template(Endpoint? endpoint) => (endpoint as RouteEndpoint)?.RoutePattern.RawText is { } raw
        ? (raw.Length > 1 ? raw.TrimEnd('/') : raw)
        : "unmatched";
}
