using System.Globalization;
using Hypersphere.Service.Hosting;
using Hypersphere.Service.Runtime.Models;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Hypersphere.Service.Metrics;

/// <summary>
/// Prometheus metrics: the registry, the HTTP middleware and <c>GET /metrics</c> (open, like the health probes), on the
/// API port or, with <see cref="HypersphereOptions.MetricsPort"/>, on a port of its own.
/// </summary>
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

    /// <summary>
    /// Adds <c>http://+:&lt;MetricsPort&gt;</c> to the addresses Kestrel listens on, when the setting is given: read from
    /// the configuration here because the addresses are fixed before the options are bound (a bad value is left to
    /// their validation, which stops the process naming it). <c>ASPNETCORE_HTTP_PORTS</c> become URLs, since URLs
    /// replace them; endpoints of <c>Kestrel:Endpoints</c> replace URLs, so there the port must be one of them.
    /// </summary>
    public static WebApplicationBuilder UseMetricsPort(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var setting = builder.Configuration[$"{HypersphereOptions.Section}:{nameof(HypersphereOptions.MetricsPort)}"];
        if (!int.TryParse(setting, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is 0 or > 65_535)
        {
            return builder;
        }

        var urls = builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey);
        if (string.IsNullOrWhiteSpace(urls))
        {
            var ports = builder.Configuration[WebHostDefaults.HttpPortsKey] ?? string.Empty;
            urls = string.Join(';', ports.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => $"http://*:{p}"));
        }

        builder.WebHost.UseUrls([.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), $"http://+:{port}"]);
        return builder;
    }

    /// <summary>
    /// With <see cref="HypersphereOptions.MetricsPort"/>, answers 404 to <c>/metrics</c> on any other port and to
    /// anything else on that one. Decided by the connection's local port, never the client's <c>Host</c> header.
    /// Put it after the problem responses (its 404 is a problem document) and before everything that answers.
    /// </summary>
    public static IApplicationBuilder UseMetricsPortGate(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.ApplicationServices.GetRequiredService<IOptions<HypersphereOptions>>();
        return app.Use((context, next) =>
        {
            var port = options.Value.MetricsPort;
            var metrics = context.Request.Path.StartsWithSegments(Path, StringComparison.OrdinalIgnoreCase);
            if (port != 0 && (context.Connection.LocalPort == port) != metrics)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        });
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
