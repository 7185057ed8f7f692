using Hypersphere.Service.Embeddings;

namespace Hypersphere.Service.Serving;

/// <summary>Registers the model registry and its folder watcher (hosted services) and the batching embedding service the endpoints call.</summary>
public static class ModelServingSetup
{
    /// <summary>Adds <see cref="ModelRegistry"/>, the folder watcher and <see cref="IEmbeddingService"/>.</summary>
    public static IServiceCollection AddModelServing(this IServiceCollection services)
    {
        services.AddSingleton<BatchingEmbeddingService>();
        services.AddSingleton<IEmbeddingService>(provider => provider.GetRequiredService<BatchingEmbeddingService>());
        services.AddSingleton<IModelDrain>(provider => provider.GetRequiredService<BatchingEmbeddingService>());
        services.AddSingleton<BatchRunner>((model, pixels, count) => model.Encoder.Embed(pixels, count));
        services.AddSingleton<ModelRegistry>();
        // Hosted services stop in reverse order: the watcher stops before the registry retires the sessions,
        // and both after the server (added last by the web host) has finished the requests in flight.
        services.AddHostedService(provider => provider.GetRequiredService<ModelRegistry>());
        services.AddHostedService<ModelFolderWatcher>();
        return services;
    }
}
