using Hypersphere.Core.Quality;
using Prometheus;

namespace Hypersphere.Service.Metrics;

/// <summary>
/// The gauges of live quality (<c>hypersphere_live_*</c>), labelled <c>model="name@version"</c>: the numbers of the
/// last report on each version's window of served embeddings (docs/architecture.md §5 "Live quality"). A version's
/// series are removed when it is unloaded, so a retired version never shows stale numbers.
/// </summary>
public sealed class LiveQualityGauges
{
    private static readonly string[] Model = ["model"];
    private readonly Gauge[] _all;

    internal LiveQualityGauges(IMetricFactory factory)
    {
        Uniformity = factory.CreateGauge("hypersphere_live_uniformity", "L_uniform (t = 2) of the window of recently served embeddings, per model version.", Model);
        MeanCosine = factory.CreateGauge("hypersphere_live_mean_cosine", "Mean pairwise cosine of the window of recently served embeddings, per model version.", Model);
        RankMe = factory.CreateGauge("hypersphere_live_rank_me", "RankMe (effective rank) of the window of recently served embeddings, per model version.", Model);
        StdSqrtD = factory.CreateGauge("hypersphere_live_std_sqrt_d", "Per-dimension std × √d of the window of recently served embeddings (1 ideal, 0 collapsed), per model version.", Model);
        WindowSize = factory.CreateGauge("hypersphere_live_window_size", "Rows in the window the last live report was computed on, per model version.", Model);
        UniformityDrift = factory.CreateGauge("hypersphere_live_uniformity_drift", "Live uniformity minus the model card's evaluation.uniformity (positive: served embeddings are less uniform than on the held-out set), per model version.", Model);
        Alignment = factory.CreateGauge("hypersphere_live_alignment", "E‖f(x) − f(y)‖² over two augmented views of sampled served images, per model version.", Model);
        Collapsed = factory.CreateGauge("hypersphere_live_collapsed", "1 when the collapse verdict of the window is collapsed or dimensional_collapse, else 0, per model version.", Model);
        _all = [Uniformity, MeanCosine, RankMe, StdSqrtD, WindowSize, UniformityDrift, Alignment, Collapsed];
    }

    /// <summary><c>hypersphere_live_uniformity{model}</c>.</summary>
    public Gauge Uniformity { get; }

    /// <summary><c>hypersphere_live_mean_cosine{model}</c>.</summary>
    public Gauge MeanCosine { get; }

    /// <summary><c>hypersphere_live_rank_me{model}</c>.</summary>
    public Gauge RankMe { get; }

    /// <summary><c>hypersphere_live_std_sqrt_d{model}</c>.</summary>
    public Gauge StdSqrtD { get; }

    /// <summary><c>hypersphere_live_window_size{model}</c>.</summary>
    public Gauge WindowSize { get; }

    /// <summary><c>hypersphere_live_uniformity_drift{model}</c>; absent when the card has no evaluation.</summary>
    public Gauge UniformityDrift { get; }

    /// <summary><c>hypersphere_live_alignment{model}</c>: declared for live alignment (augmented pairs), set by it only.</summary>
    public Gauge Alignment { get; }

    /// <summary><c>hypersphere_live_collapsed{model}</c>: 0 healthy, 1 otherwise.</summary>
    public Gauge Collapsed { get; }

    /// <summary>Sets <paramref name="model"/>'s gauges from <paramref name="report"/>; <paramref name="drift"/> null removes the drift series.</summary>
    public void Set(string model, QualityReport report, double? drift)
    {
        ArgumentNullException.ThrowIfNull(report);
        Uniformity.WithLabels(model).Set(report.Uniformity);
        MeanCosine.WithLabels(model).Set(report.MeanCosine);
        RankMe.WithLabels(model).Set(report.RankMe);
        StdSqrtD.WithLabels(model).Set(report.StdSqrtD);
        WindowSize.WithLabels(model).Set(report.N);
        Collapsed.WithLabels(model).Set(report.Verdict.Status == CollapseVerdict.Healthy ? 0 : 1);
        if (drift is { } value)
        {
            UniformityDrift.WithLabels(model).Set(value);
        }
        else
        {
            UniformityDrift.RemoveLabelled(model);
        }
    }

    /// <summary>Sets <paramref name="model"/>'s live alignment.</summary>
    public void SetAlignment(string model, double alignment) => Alignment.WithLabels(model).Set(alignment);

    /// <summary>Removes every series of <paramref name="model"/> (it was unloaded).</summary>
    public void Remove(string model)
    {
        foreach (var gauge in _all)
        {
            gauge.RemoveLabelled(model);
        }
    }
}
