using Hypersphere.Inference;
using Hypersphere.Service.Runtime.Batching;
using Hypersphere.Service.Runtime.Inputs;

namespace Hypersphere.Service.Runtime.Models;

/// <summary>Registers the runtime: the model registry and its folder watcher (hosted services), the input decoder, the batch scheduler, and the <see cref="IEmbeddingRuntime"/> the handlers call.</summary>
public static class ModelServingSetup
{
    /// <summary>Adds <see cref="ModelRegistry"/>, the folder watcher and <see cref="IEmbeddingRuntime"/>.</summary>
    public static IServiceCollection AddEmbeddingRuntime(this IServiceCollection services)
    {
        services.AddSingleton<RunHealth>();
        services.AddSingleton<EncoderLoader>((folder, options) => OnnxEncoder.Load(folder, options));
        services.AddSingleton<BatchScheduler>();
        services.AddSingleton<IModelDrain>(provider => provider.GetRequiredService<BatchScheduler>());
        services.AddSingleton<BatchRunner>((model, pixels, count) => model.Encoder.Embed(pixels, count));
        services.AddSingleton<InputDecoder>();
        services.AddSingleton<IEmbeddingRuntime, EmbeddingRuntime>();
        services.AddSingleton<ModelRegistry>();
        // Hosted services stop in reverse order: the watcher stops before the registry retires the sessions,
        // and both after the server (added last by the web host) has finished the requests in flight.
        services.AddHostedService(provider => provider.GetRequiredService<ModelRegistry>());
        services.AddHostedService<ModelFolderWatcher>();
        return services;
    }
}
