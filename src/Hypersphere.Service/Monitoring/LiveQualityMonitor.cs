using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Quality;
using Hypersphere.Service.Errors;
using Hypersphere.Service.Hosting;
using Hypersphere.Service.Metrics;
using Hypersphere.Service.Runtime.Models;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Monitoring;

/// <summary>
/// Core's quality report on a live window: <see cref="QualityAnalyzer.Analyze"/> in the service, replaced in tests
/// (a failing analyzer must never reach a request).
/// </summary>
internal delegate QualityReport LiveAnalyzer(EmbeddingMatrix rows, QualityOptions options);

/// <summary>The generators live alignment samples images and draws views with (unseeded in the service; seeded in tests, which rebuild the views).</summary>
internal delegate Random LiveRandom();

/// <summary>
/// Live quality of served embeddings (docs/architecture.md §5 "Live quality"): one <see cref="LiveWindow"/> per
/// loaded model session, filled by <see cref="Record"/> from the embeddings path, analysed by
/// <see cref="ComputeAll"/> off it (<see cref="LiveQualityService"/>), its numbers set on the
/// <c>hypersphere_live_*</c> gauges. Windows belong to a session, not to a name: a reload that swaps a version's
/// session or serves a new version starts a fresh window, and as an <see cref="IModelDrain"/> the monitor drops the
/// retired session's window and gauges.
/// </summary>
internal sealed partial class LiveQualityMonitor : IModelDrain
{
    /// <summary>The report's settings: the paper's α = 2 and t = 2 (those of the cards' evaluation), on one core.</summary>
    public static readonly QualityOptions Options = new(MaxDegreeOfParallelism: 1);

    /// <summary>Pairs of views live alignment keeps per version.</summary>
    public const int AlignmentPairs = 1024;

    private readonly ConcurrentDictionary<LoadedModel, LiveWindow> _windows = new(ReferenceEqualityComparer.Instance);
    private readonly ConcurrentDictionary<LoadedModel, LivePairs> _pairs = new(ReferenceEqualityComparer.Instance);
    private readonly ConditionalWeakTable<LoadedModel, object> _retired = [];
    private readonly HypersphereOptions _options;
    private readonly LiveAnalyzer _analyze;
    private readonly LiveRandom _random;
    private readonly LiveQualityGauges _gauges;
    private readonly TimeProvider _time;
    private readonly ILogger<LiveQualityMonitor> _logger;
    private readonly LogThrottle _throttle = new(TimeSpan.FromMinutes(1));

    public LiveQualityMonitor(
        IOptions<HypersphereOptions> options, LiveAnalyzer analyze, LiveRandom random, ServiceMetrics metrics, TimeProvider time, ILogger<LiveQualityMonitor> logger)
    {
        _random = random;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        _options = options.Value;
        _analyze = analyze;
        _gauges = metrics.Live;
        _time = time;
        _logger = logger;
    }

    /// <summary>Whether live quality is on (<see cref="HypersphereOptions.LiveQualityWindow"/> above 0).</summary>
    public bool Enabled => _options.LiveQualityWindow > 0;

    /// <summary>
    /// Offers rows <paramref name="model"/> just served to its window (creating it on the first offer). Never
    /// waits and never throws: a busy window drops the rows.
    /// </summary>
    public void Record(LoadedModel model, ReadOnlySpan<float> values, int count)
    {
        if (!Enabled || count == 0 || _retired.TryGetValue(model, out _))
        {
            return;
        }

        var window = _windows.GetOrAdd(model, m => new LiveWindow(
            _options.LiveQualityWindow, m.Card.EmbeddingDim, _options.LiveQualitySampleFraction, new Random(), _time.GetUtcNow()));
        window.Offer(values, count);
        if (_retired.TryGetValue(model, out _))
        {
            _windows.TryRemove(model, out _); // retired meanwhile: the drain has run or will find nothing
        }
    }

    /// <summary>
    /// Offers the preprocessed images <paramref name="model"/> just served to live alignment (a sample of them waits for
    /// its views). Never waits and never throws.
    /// </summary>
    public void RecordInputs(LoadedModel model, ReadOnlySpan<float> pixels, int count)
    {
        if (!Enabled || _options.LiveAlignmentSampleFraction <= 0 || count == 0 || _retired.TryGetValue(model, out _))
        {
            return;
        }

        try
        {
            var pairs = _pairs.GetOrAdd(model, m => new LivePairs(m.Card, AlignmentPairs, _options.LiveAlignmentSampleFraction, _random(), _random()));
            pairs.Offer(pixels, count);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A card whose recipe cannot make views (a bad input spec) must not fail a request: no live alignment.
            if (_throttle.TryEnter(model.Id.GetHashCode(), out var suppressed))
            {
                LogAlignmentFailed(_logger, model.Id.ToString(), suppressed, e);
            }
        }

        if (_retired.TryGetValue(model, out _))
        {
            _pairs.TryRemove(model, out _);
        }
    }

    /// <summary>Live alignment of <paramref name="model"/>'s session: E‖f(x) − f(y)‖² over its last pairs of views, and how many; null before the first.</summary>
    public LiveAlignment? AlignmentOf(LoadedModel model) =>
        _pairs.TryGetValue(model, out var pairs) ? pairs.Last : null;

    /// <summary>The window of <paramref name="id"/>'s serving session, or null when it has served nothing yet (or live quality is off).</summary>
    public (LiveWindow Window, LoadedModel Model)? WindowOf(ModelId id) =>
        _windows.Where(w => w.Key.Id == id).OrderByDescending(w => w.Value.Started).Select(w => ((LiveWindow, LoadedModel)?)(w.Value, w.Key)).FirstOrDefault();

    /// <summary>
    /// Computes the report of every window that changed since its last one, one after another on the calling
    /// thread, and sets the gauges. A failing analysis is logged (one entry a minute per version, with the count
    /// held back) and leaves the window's last report and gauges as they were.
    /// </summary>
    public void ComputeAll(CancellationToken stopping)
    {
        ComputeAlignments(stopping);
        foreach (var (model, window) in _windows.ToArray())
        {
            if (stopping.IsCancellationRequested)
            {
                return;
            }

            var label = model.Id.ToString();
            try
            {
                if (window.Report?.Written == window.Written || window.Snapshot() is not { } snapshot)
                {
                    continue;
                }

                var report = _analyze(snapshot.Rows, Options);
                window.Report = new LiveReport(report, _time.GetUtcNow(), snapshot.Written);
                if (_windows.TryGetValue(model, out var current) && ReferenceEquals(current, window))
                {
                    _gauges.Set(label, report, Drift(model, report));
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                if (_throttle.TryEnter(label.GetHashCode(StringComparison.Ordinal), out var suppressed))
                {
                    LogAnalysisFailed(_logger, label, suppressed, e);
                }
            }
        }
    }

    /// <summary>
    /// Embeds the views of the images waiting for live alignment, one version after another on the calling (background)
    /// thread, straight on the version's session: ONNX Runtime runs it beside the batches of client requests, which never
    /// queue behind it. Failures are logged like the reports' and change nothing.
    /// </summary>
    private void ComputeAlignments(CancellationToken stopping)
    {
        foreach (var (model, pairs) in _pairs.ToArray())
        {
            if (stopping.IsCancellationRequested)
            {
                return;
            }

            var label = model.Id.ToString();
            try
            {
                if (pairs.Embed((views, count) => model.Encoder.Embed(views, count)) && pairs.Compute() is { } alignment
                    && _pairs.TryGetValue(model, out var current) && ReferenceEquals(current, pairs))
                {
                    _gauges.SetAlignment(label, alignment.Alignment);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                if (_throttle.TryEnter(label.GetHashCode(StringComparison.Ordinal), out var suppressed))
                {
                    LogAlignmentFailed(_logger, label, suppressed, e);
                }
            }
        }
    }

    /// <summary>Live uniformity minus the card's held-out <c>evaluation.uniformity</c> (both t = 2); null without an evaluation.</summary>
    public static double? Drift(LoadedModel model, QualityReport report)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(report);
        return model.Card.Evaluation is { } evaluation ? report.Uniformity - evaluation.Uniformity : null;
    }

    /// <summary>Drops the retired session's window and its gauges (the new session, if any, starts its own).</summary>
    public Task DrainAsync(LoadedModel model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        _retired.AddOrUpdate(model, model);
        _windows.TryRemove(model, out _);
        _pairs.TryRemove(model, out _);
        _gauges.Remove(model.Id.ToString());
        // A reload swaps the new session in before it retires the old one: its window may have a report already.
        if (WindowOf(model.Id) is ({ Report: { } report }, var fresh))
        {
            _gauges.Set(model.Id.ToString(), report.Quality, Drift(fresh, report.Quality));
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live alignment of {Model} could not be computed; its last number stays ({Suppressed} more failures since the last entry were not logged)")]
    private static partial void LogAlignmentFailed(ILogger logger, string model, long suppressed, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live quality of {Model} could not be computed; its last numbers stay ({Suppressed} more failures since the last entry were not logged)")]
    private static partial void LogAnalysisFailed(ILogger logger, string model, long suppressed, Exception exception);
}
