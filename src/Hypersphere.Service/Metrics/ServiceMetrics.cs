using Hypersphere.Service.Runtime.Models;
using Prometheus;

namespace Hypersphere.Service.Metrics;

/// <summary>
/// The service's Prometheus metrics, in a registry of its own (one per app, so hosts in one process, as in
/// tests, do not share counts). Model gauges are read off the <see cref="ModelRegistry"/> at each scrape.
/// </summary>
public sealed class ServiceMetrics
{
    private static readonly string[] HttpLabels = ["method", "route", "status"];

    /// <summary>Creates the metrics in <paramref name="registry"/>.</summary>
    public ServiceMetrics(CollectorRegistry registry)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        HttpRequests = factory.CreateCounter(
            "hypersphere_http_requests_total", "HTTP requests answered, by method, route template and status.", new CounterConfiguration { LabelNames = HttpLabels });
        HttpSeconds = factory.CreateHistogram(
            "hypersphere_http_request_duration_seconds",
            "Time from the request's arrival to its answer, by method, route template and status.",
            new HistogramConfiguration { LabelNames = HttpLabels, Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16) });
        QueueDepth = factory.CreateGauge("hypersphere_queue_depth", "Images waiting for a batch, per model version.", "model");
        BatchSize = factory.CreateHistogram(
            "hypersphere_batch_size",
            "Images per ONNX Runtime run, per model version (its _count is the number of runs).",
            new HistogramConfiguration { LabelNames = ["model"], Buckets = Histogram.ExponentialBuckets(1, 2, 13) });
        InferenceSeconds = factory.CreateHistogram(
            "hypersphere_inference_duration_seconds",
            "Time of one ONNX Runtime run, per model version.",
            new HistogramConfiguration { LabelNames = ["model"], Buckets = Histogram.ExponentialBuckets(0.0001, 2, 18) });
        ModelsLoaded = factory.CreateGauge("hypersphere_models_loaded", "Model versions loaded, warmed up and serving.");
        ExecutionProvider = factory.CreateGauge(
            "hypersphere_execution_provider", "1 for the ONNX Runtime execution provider each loaded model version runs on.", "model", "provider");
        Rejected = factory.CreateCounter(
            "hypersphere_rejected_total", "Requests answered 429 because the service was full: queue_full (Hypersphere:MaxQueue) or concurrency (Hypersphere:MaxConcurrentRequests, MaxWaitingRequests, MaxConcurrentRequestsPerKey).", "reason");
        InferenceFailures = factory.CreateCounter(
            "hypersphere_inference_failures_total",
            "ONNX Runtime runs that failed for the server's reasons (not the input's), per model version and kind: out_of_memory, runtime or device_lost.",
            "model",
            "kind");
        ModelLoadFailures = factory.CreateCounter(
            "hypersphere_model_load_failures_total", "Attempts to load a model version that failed (each retry counts), per model version.", "model");
        TimedOut = factory.CreateCounter("hypersphere_timeouts_total", "Requests for model work answered 503 because they passed Hypersphere:RequestTimeoutMs.");
        Live = new LiveQualityGauges(factory);
    }

    /// <summary><c>hypersphere_http_requests_total{method,route,status}</c>.</summary>
    public Counter HttpRequests { get; }

    /// <summary><c>hypersphere_http_request_duration_seconds{method,route,status}</c>.</summary>
    public Histogram HttpSeconds { get; }

    /// <summary><c>hypersphere_queue_depth{model}</c>.</summary>
    public Gauge QueueDepth { get; }

    /// <summary><c>hypersphere_batch_size{model}</c>.</summary>
    public Histogram BatchSize { get; }

    /// <summary><c>hypersphere_inference_duration_seconds{model}</c>.</summary>
    public Histogram InferenceSeconds { get; }

    /// <summary><c>hypersphere_models_loaded</c>.</summary>
    public Gauge ModelsLoaded { get; }

    /// <summary><c>hypersphere_execution_provider{model,provider}</c> = 1.</summary>
    public Gauge ExecutionProvider { get; }

    /// <summary><c>hypersphere_rejected_total{reason}</c>.</summary>
    public Counter Rejected { get; }

    /// <summary><c>hypersphere_inference_failures_total{model,kind}</c>.</summary>
    public Counter InferenceFailures { get; }

    /// <summary><c>hypersphere_model_load_failures_total{model}</c>.</summary>
    public Counter ModelLoadFailures { get; }

    /// <summary><c>hypersphere_timeouts_total</c>.</summary>
    public Counter TimedOut { get; }

    /// <summary>The <c>hypersphere_live_*</c> gauges of live quality, per model version.</summary>
    public LiveQualityGauges Live { get; }

    /// <summary>Sets the model gauges to what is loaded now (the same list and providers /healthz/ready reports).</summary>
    public void Observe(IReadOnlyList<LoadedModel> loaded)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        ModelsLoaded.Set(loaded.Count);
        var current = loaded.Select(m => (Id: m.Id.ToString(), m.Provider.Name)).ToHashSet();
        foreach (var labels in ExecutionProvider.GetAllLabelValues().ToArray())
        {
            if (!current.Contains((labels[0], labels[1])))
            {
                ExecutionProvider.RemoveLabelled(labels);
            }
        }

        foreach (var (id, provider) in current)
        {
            ExecutionProvider.WithLabels(id, provider).Set(1);
        }
    }
}
