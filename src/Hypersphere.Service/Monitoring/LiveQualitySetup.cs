using Hypersphere.Core.Quality;
using Hypersphere.Service.Runtime.Models;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Hypersphere.Service.Monitoring;

/// <summary>Registers live quality: the monitor (also a model drain, so a retired session's window goes with it) and its background service.</summary>
public static class LiveQualitySetup
{
    /// <summary>Adds the <see cref="LiveQualityMonitor"/>, Core's analyzer for it and the <see cref="LiveQualityService"/>.</summary>
    public static IServiceCollection AddLiveQuality(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<LiveAnalyzer>((rows, options) => QualityAnalyzer.Analyze(rows, options: options));
        services.AddSingleton<LiveRandom>(() => new Random());
        services.AddSingleton<LiveQualityMonitor>();
        services.AddSingleton<IModelDrain>(provider => provider.GetRequiredService<LiveQualityMonitor>());
        services.AddHostedService<LiveQualityService>();
        return services;
    }
}
