using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.RateLimiting;
using Hypersphere.Core.Errors;
using Hypersphere.Service.Errors;
using Hypersphere.Service.Hosting;
using Hypersphere.Service.Metrics;
using Hypersphere.Service.Serving;
using Microsoft.Extensions.Options;
using Polly;
using Polly.RateLimiting;
using Polly.Timeout;

namespace Hypersphere.Service.Embeddings;

/// <summary>
/// Embeds through one <see cref="ModelBatcher"/> per loaded model version, so concurrent requests for a model
/// share ONNX Runtime runs. Each request passes a Polly pipeline first: a timeout
/// (<see cref="HypersphereOptions.RequestTimeoutMs"/>; past it the answer is 503 <c>not_ready</c>, because the
/// request was fine and the service too busy, and its queued images are dropped) around a concurrency limiter
/// (<see cref="HypersphereOptions.MaxConcurrentRequests"/>, no waiting line: one more is 429). A full batch queue
/// is 429 too. Both 429s carry Retry-After: the seconds the queued images take at the recent rate.
/// As the registry's <see cref="IModelDrain"/> it runs a model's queue dry before its session is disposed.
/// </summary>
internal sealed partial class BatchingEmbeddingService : IEmbeddingService, IModelDrain, IDisposable
{
    private readonly ConcurrentDictionary<LoadedModel, Lazy<ModelBatcher>> _batchers = new(ReferenceEqualityComparer.Instance);
    private readonly ConditionalWeakTable<LoadedModel, object> _retired = [];
    private readonly DrainRate _rate = new();
    private readonly ConcurrencyLimiter _limiter;
    private readonly ResiliencePipeline _pipeline;
    private readonly BatchRunner _run;
    private readonly BatchLimits _limits;
    private readonly HypersphereOptions _options;
    private readonly ServiceMetrics _metrics;
    private readonly ILogger<BatchingEmbeddingService> _logger;

    public BatchingEmbeddingService(IOptions<HypersphereOptions> options, BatchRunner run, ServiceMetrics metrics, ILogger<BatchingEmbeddingService> logger)
    {
        _options = options.Value;
        _run = run;
        _metrics = metrics;
        _logger = logger;
        _limits = new BatchLimits(_options.MaxBatchSize, TimeSpan.FromMilliseconds(_options.MaxBatchDelayMs), _options.MaxQueue);
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = _options.MaxConcurrentRequests, QueueLimit = 0 });
        _pipeline = new ResiliencePipelineBuilder()
            .AddTimeout(TimeSpan.FromMilliseconds(_options.RequestTimeoutMs))
            .AddRateLimiter(_limiter)
            .Build();
    }

    /// <summary>Images waiting for a batch of <paramref name="modelId"/>, over its loaded sessions.</summary>
    public int QueueDepth(string modelId) => _batchers
        .Where(b => b.Key.Id == modelId && b.Value.IsValueCreated)
        .Sum(b => b.Value.Value.Queued);

    public async ValueTask<float[]> EmbedAsync(LoadedModel model, ReadOnlyMemory<float> pixels, int count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        try
        {
            return await _pipeline.ExecuteAsync(
                static async (state, token) => await state.Self.BatcherFor(state.Model).EnqueueAsync(state.Pixels, state.Count, token),
                (Self: this, Model: model, Pixels: pixels, Count: count),
                cancellationToken);
        }
        catch (RateLimiterRejectedException e)
        {
            _metrics.Rejected.WithLabels("concurrency").Inc();
            var queued = _batchers.Values.Where(b => b.IsValueCreated).Sum(b => (long)b.Value.Queued);
            throw Problems.Overloaded(
                $"the service is already embedding {_options.MaxConcurrentRequests} requests (Hypersphere:MaxConcurrentRequests); retry after the Retry-After seconds",
                _rate.SecondsToDrain(queued),
                e);
        }
        catch (TimeoutRejectedException e)
        {
            _metrics.TimedOut.Inc();
            throw new HypersphereException(
                ErrorKind.NotReady,
                $"embedding {count} images with {model.Id} did not finish within {_options.RequestTimeoutMs} ms (Hypersphere:RequestTimeoutMs): the service is too busy now; retry later or send fewer images",
                e);
        }
    }

    /// <summary>Stops queuing for <paramref name="model"/> and waits until its queued images have run.</summary>
    public async Task DrainAsync(LoadedModel model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        _retired.AddOrUpdate(model, model);
        if (_batchers.TryRemove(model, out var batcher) && batcher.IsValueCreated)
        {
            batcher.Value.Complete();
            await batcher.Value.Completion.WaitAsync(cancellationToken);
        }

        if (!_batchers.Keys.Any(m => m.Id == model.Id))
        {
            _metrics.QueueDepth.RemoveLabelled(model.Id);
        }
    }

    /// <summary>Lets every loop finish what is queued (the registry has drained them already on a clean stop).</summary>
    public void Dispose()
    {
        foreach (var batcher in _batchers.Values.Where(b => b.IsValueCreated))
        {
            batcher.Value.Complete();
        }

        _limiter.Dispose();
    }

    private ModelBatcher BatcherFor(LoadedModel model)
    {
        // Checked again after GetOrAdd: a drain that marked the model between the two has removed (or will
        // remove) whatever batcher is there, so a request never waits on a queue nobody reads.
        if (_retired.TryGetValue(model, out _))
        {
            throw ModelBatcher.Unloaded(model);
        }

        var batcher = _batchers.GetOrAdd(model, m => new Lazy<ModelBatcher>(() =>
        {
            var limits = _limits with { ConcurrentRuns = _options.EffectiveConcurrentBatches(m.Encoder.Provider.Name) };
            LogStarted(_logger, m.Id, limits.MaxBatch, _options.MaxBatchDelayMs, limits.ConcurrentRuns);
            return new ModelBatcher(m, _run, limits, _rate, _metrics, _logger);
        }));
        if (_retired.TryGetValue(model, out _))
        {
            if (_batchers.TryRemove(KeyValuePair.Create(model, batcher)) && batcher.IsValueCreated)
            {
                batcher.Value.Complete();
            }

            throw ModelBatcher.Unloaded(model);
        }

        return batcher.Value;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Batching {Model}: up to {MaxBatch} images or {DelayMs} ms, {Runs} runs at once")]
    private static partial void LogStarted(ILogger logger, string model, int maxBatch, int delayMs, int runs);
}
