using Hypersphere.Service.Embeddings;

namespace Hypersphere.Service.Serving;

/// <summary>Registers the model registry (a hosted service) and the embedding service the endpoints call.</summary>
public static class ModelServingSetup
{
    /// <summary>Adds <see cref="ModelRegistry"/> and <see cref="IEmbeddingService"/>.</summary>
    public static IServiceCollection AddModelServing(this IServiceCollection services)
    {
        services.AddSingleton<ModelRegistry>();
        services.AddHostedService(provider => provider.GetRequiredService<ModelRegistry>());
        services.AddSingleton<IEmbeddingService, DirectEmbeddingService>();
        return services;
    }
}
