using Hypersphere.Service.Serving;

namespace Hypersphere.Service.Embeddings;

/// <summary>
/// The one contract between the HTTP layer and the model runtime: embed preprocessed images with a loaded
/// model. Endpoints call only this, so batching, queue limits and timeouts sit behind it
/// (<see cref="BatchingEmbeddingService"/>) without touching them.
/// </summary>
public interface IEmbeddingService
{
    /// <summary>Embeds <paramref name="count"/> images given as <paramref name="count"/>·C·H·W preprocessed floats; returns <paramref name="count"/>·D floats, unit rows.</summary>
    ValueTask<float[]> EmbedAsync(LoadedModel model, ReadOnlyMemory<float> pixels, int count, CancellationToken cancellationToken);
}

/// <summary>
/// Runs one batch of preprocessed images through a model's session and returns batch·D floats. The batcher
/// calls nothing else, so this is where tests slow runs down or count them.
/// </summary>
internal delegate float[] BatchRunner(LoadedModel model, ReadOnlySpan<float> pixels, int count);
