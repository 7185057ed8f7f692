using Hypersphere.Service.Runtime.Models;
using Prometheus;

namespace Hypersphere.Service.Metrics;

/// <summary>Prometheus metrics: the registry, the HTTP middleware and <c>GET /metrics</c> (open, like the health probes).</summary>
public static class MetricsSetup
{
    /// <summary>Where the metrics are served.</summary>
    public const string Path = "/metrics";

    /// <summary>Adds the app's own <see cref="CollectorRegistry"/> (with the process's .NET statistics) and <see cref="ServiceMetrics"/>.</summary>
    public static IServiceCollection AddServiceMetrics(this IServiceCollection services)
    {
        services.AddSingleton(provider =>
        {
            var registry = Prometheus.Metrics.NewCustomRegistry();
            DotNetStats.Register(registry);
            // Resolved at scrape time, after start-up validated the options the model registry reads.
            registry.AddBeforeCollectCallback(() =>
                provider.GetRequiredService<ServiceMetrics>().Observe(provider.GetRequiredService<ModelRegistry>().Loaded));
            return registry;
        });
        services.AddSingleton<ServiceMetrics>();
        return services;
    }

    /// <summary>Counts and times every request; put it first, before the exception handler.</summary>
    public static IApplicationBuilder UseServiceMetrics(this IApplicationBuilder app) => app.UseMiddleware<HttpMetricsMiddleware>();

    /// <summary>Maps <c>GET /metrics</c> (Prometheus text format).</summary>
    public static IEndpointConventionBuilder MapServiceMetrics(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        return routes.MapMetrics(Path, routes.ServiceProvider.GetRequiredService<CollectorRegistry>())
            .WithTags("Metrics")
            .WithDisplayName("Metrics");
    }
}
