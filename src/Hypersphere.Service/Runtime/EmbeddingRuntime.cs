using Hypersphere.Service.Hosting;
using Hypersphere.Service.Monitoring;
using Hypersphere.Service.Runtime.Batching;
using Hypersphere.Service.Runtime.Inputs;
using Hypersphere.Service.Runtime.Models;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Runtime;

/// <summary>
/// The service's <see cref="IEmbeddingRuntime"/>: resolve the model (<see cref="ModelRegistry"/>), preprocess each
/// source within one <see cref="PixelBudget"/> (<see cref="InputDecoder"/>), batch and run it
/// (<see cref="BatchScheduler"/>); the rows served are offered to the model's live window (<see cref="LiveQualityMonitor"/>,
/// which never waits).
/// </summary>
internal sealed class EmbeddingRuntime(ModelRegistry models, InputDecoder decoder, BatchScheduler batches, LiveQualityMonitor live, IOptions<HypersphereOptions> options) : IEmbeddingRuntime
{
    public async Task<EmbeddingResult> EmbedAsync(string? model, IReadOnlyList<EmbeddingSource> sources, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var loaded = await models.ResolveAsync(model, cancellationToken);
        var budget = new PixelBudget(options.Value.MaxRequestPixels);
        var sets = new EmbeddingRows[sources.Count];
        for (var i = 0; i < sources.Count; i++)
        {
            var items = await decoder.PreprocessAsync(sources[i], loaded, budget, cancellationToken);
            var values = await batches.EmbedAsync(loaded, items.Pixels, items.Count, cancellationToken);
            live.RecordInputs(loaded, items.Pixels.Span, items.Count);
            items.Return(); // every row has run: no batch reads the buffer any more
            live.Record(loaded, values, items.Count);
            sets[i] = new EmbeddingRows(values, items.Count);
        }

        return new EmbeddingResult(loaded.Id, loaded.Provider.Name, loaded.Card.EmbeddingDim, sets);
    }
}
