using Hypersphere.Service.Hosting;
using Hypersphere.Service.Serving;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Embeddings;

/// <summary>
/// The one contract between the HTTP layer and the model runtime: embed preprocessed images with a loaded
/// model. Endpoints call only this, so batching, queue limits and timeouts can be put behind it without
/// touching them.
/// </summary>
public interface IEmbeddingService
{
    /// <summary>Embeds <paramref name="count"/> images given as <paramref name="count"/>·C·H·W preprocessed floats; returns <paramref name="count"/>·D floats, unit rows.</summary>
    ValueTask<float[]> EmbedAsync(LoadedModel model, ReadOnlyMemory<float> pixels, int count, CancellationToken cancellationToken);
}

/// <summary>
/// Runs each request's images on the calling thread, <see cref="HypersphereOptions.MaxBatchSize"/> at a
/// time. No coalescing across requests and no queue: concurrent requests run concurrently on the
/// session, which ONNX Runtime allows.
/// </summary>
internal sealed class DirectEmbeddingService(IOptions<HypersphereOptions> options) : IEmbeddingService
{
    private readonly int _maxBatch = options.Value.MaxBatchSize;

    public ValueTask<float[]> EmbedAsync(LoadedModel model, ReadOnlyMemory<float> pixels, int count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        var size = model.Encoder.ImageSize;
        var dim = model.Card.EmbeddingDim;
        var result = new float[checked(count * dim)];
        for (var start = 0; start < count; start += _maxBatch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var n = Math.Min(_maxBatch, count - start);
            var embedded = model.Encoder.Embed(pixels.Span.Slice(start * size, n * size), n);
            embedded.CopyTo(result.AsSpan(start * dim));
        }

        return ValueTask.FromResult(result);
    }
}
