namespace Hypersphere.Reports;

/// <summary>A training run folder (<c>eval.json</c>, <c>train.jsonl</c>) or a model folder (<c>model.json</c>), as the runs report sees it.</summary>
/// <param name="Label">Short name shown next to its point (folder name, or name@version).</param>
/// <param name="Path">Folder it was read from.</param>
/// <param name="Dim">Embedding dimension, when known.</param>
/// <param name="Alignment">Held-out L_align(α = 2); null when not evaluated.</param>
/// <param name="Uniformity">Held-out L_uniform(t = 2); null when not evaluated.</param>
/// <param name="LinearAccuracy">Linear-probe accuracy on the output (fraction); null when unknown.</param>
/// <param name="Knn5Accuracy">5-NN accuracy on the output (fraction); null when unknown.</param>
/// <param name="Epochs">Per-epoch means from <c>train.jsonl</c>; empty for model folders.</param>
public sealed record RunSummary(
    string Label,
    string Path,
    int? Dim,
    double? Alignment,
    double? Uniformity,
    double? LinearAccuracy,
    double? Knn5Accuracy,
    IReadOnlyList<EpochPoint> Epochs)
{
    /// <summary>
    /// L_uniform of points uniform on the sphere for this run's d and t = 2: <c>uniform_optimum</c> of <c>eval.json</c>,
    /// or computed from a model card's <c>embedding_dim</c>; null when neither is known.
    /// </summary>
    public double? UniformOptimum { get; init; }

    /// <summary>Which file described the folder: <c>eval.json</c>, <c>train.jsonl</c> (a run without evaluation yet) or <c>model.json</c>.</summary>
    public string Source { get; init; } = string.Empty;
}

/// <summary>One epoch of <c>train.jsonl</c>: the means over its steps (lines of an epoch that was resumed are merged).</summary>
public sealed record EpochPoint(int Epoch, double Loss, double Alignment, double Uniformity, double LearningRate);

/// <summary>One point of the alignment–uniformity plane.</summary>
/// <param name="Label">Shown next to the point (user text: escaped).</param>
/// <param name="Uniformity">x: L_uniform(t).</param>
/// <param name="Alignment">y: L_align(α).</param>
/// <param name="Accuracy">Colour: a downstream accuracy (fraction), when known.</param>
public sealed record PlanePoint(string Label, double Uniformity, double Alignment, double? Accuracy);

/// <summary>A built runs report: the plane of all runs and models, and the training curves of the runs.</summary>
public sealed record RunsDocument(IReadOnlyList<RunSummary> Runs, IReadOnlyList<Figure> Figures, string Html)
{
    /// <summary>
    /// The report as an HTML fragment (<c>&lt;article class="hs-report" data-report="runs"&gt;</c>), with the same
    /// conventions as <see cref="AuditDocument.Fragment"/>: <c>data-metric</c>/<c>data-value</c> on each number
    /// (<c>alignment</c>, <c>uniformity</c>, <c>uniform_optimum</c>, <c>linear_output</c>, <c>knn5_output</c>, one row per run),
    /// <c>data-figure</c> on each figure; style it with <see cref="ReportStyles.Css"/>.
    /// </summary>
    public string Fragment { get; init; } = string.Empty;
}
