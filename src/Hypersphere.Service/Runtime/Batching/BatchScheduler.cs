using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Hypersphere.Service.Errors;
using Hypersphere.Service.Hosting;
using Hypersphere.Service.Metrics;
using Hypersphere.Service.Runtime.Models;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Runtime.Batching;

/// <summary>
/// Embeds through one <see cref="ModelBatcher"/> per loaded model version, so concurrent requests for a model share
/// ONNX Runtime runs. Admission (how many requests are in the service) and the request timeout are the framework's
/// (the rate limiter and the request timeouts middleware, see <c>AdmissionSetup</c>); this bounds only the images
/// waiting per model (a full queue is 429 with Retry-After: the seconds the queued images take at the recent rate).
/// As the registry's <see cref="IModelDrain"/> it runs a model's queue dry before its session is disposed.
/// </summary>
internal sealed partial class BatchScheduler : IModelDrain, IDisposable
{
    private readonly ConcurrentDictionary<LoadedModel, Lazy<ModelBatcher>> _batchers = new(ReferenceEqualityComparer.Instance);
    private readonly ConditionalWeakTable<LoadedModel, object> _retired = [];
    private readonly DrainRate _rate = new();
    private readonly BatchRunner _run;
    private readonly HypersphereOptions _options;
    private readonly ServiceMetrics _metrics;
    private readonly ILogger<BatchScheduler> _logger;
    private readonly RunHealth _health;
    private readonly LogThrottle _throttle = new(TimeSpan.FromSeconds(1));

    public BatchScheduler(IOptions<HypersphereOptions> options, BatchRunner run, ServiceMetrics metrics, RunHealth health, ILogger<BatchScheduler> logger)
    {
        _health = health;
        _options = options.Value;
        _run = run;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Images waiting for a batch of <paramref name="model"/>, over its loaded sessions.</summary>
    public int QueueDepth(ModelId model) => _batchers
        .Where(b => b.Key.Id == model && b.Value.IsValueCreated)
        .Sum(b => b.Value.Value.Queued);

    /// <summary>Whole seconds until every queued image has run at the recent rate, at least 1: the Retry-After of a refusal.</summary>
    public int SecondsToDrain() => _rate.SecondsToDrain(_batchers.Values.Where(b => b.IsValueCreated).Sum(b => (long)b.Value.Queued));

    /// <summary>Embeds <paramref name="count"/> preprocessed images with <paramref name="model"/>; count·D floats, unit rows.</summary>
    public Task<float[]> EmbedAsync(LoadedModel model, ReadOnlyMemory<float> pixels, int count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        return BatcherFor(model).EnqueueAsync(pixels, count, cancellationToken);
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

        // A retired session's failures say nothing of the one that replaces it (a reload), or of none (a removal).
        _health.Forget(model.Id.ToString());

        if (!_batchers.Keys.Any(m => m.Id == model.Id))
        {
            _metrics.QueueDepth.RemoveLabelled(model.Id.ToString());
        }
    }

    /// <summary>Lets every loop finish what is queued (the registry has drained them already on a clean stop).</summary>
    public void Dispose()
    {
        foreach (var batcher in _batchers.Values.Where(b => b.IsValueCreated))
        {
            batcher.Value.Complete();
        }
    }

    /// <summary>
    /// The batching limits of a model on <paramref name="provider"/> (ONNX Runtime's provider name): the settings where
    /// they are given, else the provider's defaults (CPU or GPU).
    /// </summary>
    internal static BatchLimits LimitsFor(HypersphereOptions options, string provider) => new(
        options.EffectiveMaxBatchSize(provider),
        TimeSpan.FromMilliseconds(options.EffectiveMaxBatchDelayMs(provider)),
        options.MaxQueue,
        options.EffectiveConcurrentBatches(provider));

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
            var limits = LimitsFor(_options, m.Encoder.Provider.Name);
            LogStarted(_logger, m.Id.ToString(), limits.MaxBatch, (int)limits.MaxDelay.TotalMilliseconds, limits.ConcurrentRuns);
            return new ModelBatcher(m, _run, limits, _rate, _metrics, _health, _throttle, _logger);
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
