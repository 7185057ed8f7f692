using Hypersphere.Core.Metrics;

namespace Hypersphere.Core.Quality;

/// <summary>
/// Everything the service's <c>/v1/quality</c> and the CLI's <c>quality</c> report about one batch of
/// embeddings. Serialised with snake_case names (<see cref="QualityJson"/>); parts that could not be
/// computed (no positives, no labels) are null, never absent.
/// </summary>
/// <param name="N">Number of embeddings.</param>
/// <param name="Dim">Embedding dimension d.</param>
/// <param name="Alpha">Alignment exponent used.</param>
/// <param name="T">Uniformity kernel width used.</param>
/// <param name="Estimator"><c>exact</c> (every pair) or <c>sampled</c> (uniformly drawn pairs, with 95 % intervals).</param>
/// <param name="Pairs">Pairs uniformity was computed over: all N(N − 1)/2, or the number drawn.</param>
/// <param name="Alignment">E‖xᵢ − yᵢ‖^α over the positive pairs; null without positives.</param>
/// <param name="AlignmentCi">95 % interval [low, high] of a sampled alignment; null when exact or without positives.</param>
/// <param name="Uniformity">L_uniform of the embeddings.</param>
/// <param name="UniformityCi">95 % interval [low, high] of a sampled uniformity; null when exact.</param>
/// <param name="UniformityPositives">L_uniform of the positives; null without positives.</param>
/// <param name="UniformityMean">Mean of the two views' uniformity, the quantity the paper trains on; null without positives.</param>
/// <param name="Reference">What uniformity could be for this d and N.</param>
/// <param name="RankMe">Effective rank of the embeddings.</param>
/// <param name="RankMeRows">Rows RankMe was computed on: all, or a seeded sample when sampled.</param>
/// <param name="MeanCosine">Mean cosine over pairs i &lt; j.</param>
/// <param name="StdSqrtD">Per-dimension std × √d: 1 ideal, 0 collapsed.</param>
/// <param name="KnnAccuracy">Leave-one-out k-NN accuracy; null without labels.</param>
/// <param name="KnnRows">Rows k-NN accuracy was computed on (all, or a seeded sample); null without labels.</param>
/// <param name="Verdict">Whether the embeddings look collapsed, and why.</param>
/// <param name="Warnings">Caveats about the input or the estimates.</param>
public sealed record QualityReport(
    int N,
    int Dim,
    double Alpha,
    double T,
    string Estimator,
    long Pairs,
    double? Alignment,
    IReadOnlyList<double>? AlignmentCi,
    double Uniformity,
    IReadOnlyList<double>? UniformityCi,
    double? UniformityPositives,
    double? UniformityMean,
    UniformityReferenceValues Reference,
    double RankMe,
    int RankMeRows,
    double MeanCosine,
    double StdSqrtD,
    KnnAccuracy? KnnAccuracy,
    int? KnnRows,
    CollapseVerdict Verdict,
    IReadOnlyList<string> Warnings);

/// <summary>Reference values of uniformity for the report's d, N and t.</summary>
/// <param name="UniformOptimum">L_uniform of the uniform distribution on S^{d−1}.</param>
/// <param name="FiniteNBound">−2tN/(N−1): no N points can go lower.</param>
public sealed record UniformityReferenceValues(double UniformOptimum, double FiniteNBound);
