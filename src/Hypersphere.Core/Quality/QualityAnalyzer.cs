using System.Globalization;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Metrics;

namespace Hypersphere.Core.Quality;

/// <summary>Settings of a quality analysis.</summary>
/// <param name="Alpha">Alignment exponent α in (0, <see cref="Alignment.MaxAlpha"/>].</param>
/// <param name="T">Uniformity kernel width t in (0, <see cref="Uniformity.MaxT"/>].</param>
/// <param name="MaxDegreeOfParallelism">Cores for the pairwise passes; −1 for all.</param>
public sealed record QualityOptions(double Alpha = Alignment.DefaultAlpha, double T = Uniformity.DefaultT, int MaxDegreeOfParallelism = -1);

/// <summary>Computes a <see cref="QualityReport"/>: the one implementation behind the trainer's logs, the CLI and the service.</summary>
public static class QualityAnalyzer
{
    /// <summary>Below this many rows the estimates get a warning.</summary>
    public const int SmallSample = 100;

    /// <summary>Analyses <paramref name="embeddings"/>, with optional positive views (row i pairs with row i) and labels.</summary>
    public static QualityReport Analyze(
        EmbeddingMatrix embeddings,
        EmbeddingMatrix? positives = null,
        IReadOnlyList<int>? labels = null,
        QualityOptions? options = null,
        IEnumerable<string>? warnings = null)
    {
        options ??= new QualityOptions();
        Alignment.CheckAlpha(options.Alpha);
        Uniformity.CheckT(options.T);
        if (positives is not null)
        {
            Alignment.CheckPairs(embeddings, positives);
        }

        var notes = new List<string>(warnings ?? []);
        var n = embeddings.Rows;
        var d = embeddings.Dim;
        var uniformity = Uniformity.Compute(embeddings, options.T, options.MaxDegreeOfParallelism);
        double? alignment = null, uniformityPositives = null, uniformityMean = null;
        if (positives is not null)
        {
            alignment = Alignment.Compute(embeddings, positives, options.Alpha);
            uniformityPositives = Uniformity.Compute(positives, options.T, options.MaxDegreeOfParallelism);
            uniformityMean = (uniformity + uniformityPositives.Value) / 2;
        }

        var reference = new UniformityReferenceValues(
            UniformityReference.UniformOptimum(d, options.T),
            UniformityReference.FiniteNBound(n, options.T));
        var rankMe = RankMe.Compute(embeddings);
        var meanCosine = Spread.MeanCosine(embeddings);
        var std = Spread.StdTimesSqrtDim(embeddings);
        var knn = labels is null ? null : NearestNeighbourAccuracy.Compute(embeddings, labels);

        var c = CultureInfo.InvariantCulture;
        if (n < SmallSample)
        {
            notes.Add(string.Format(c, "only {0} rows ({1} pairs): uniformity and the other estimates are noisy; use a few thousand rows to compare models", n, (long)n * (n - 1) / 2));
        }

        if (n < d)
        {
            notes.Add(string.Format(c, "fewer rows ({0}) than dimensions ({1}): RankMe cannot exceed {0}", n, d));
        }

        if (labels is not null && n <= 20)
        {
            notes.Add(string.Format(c, "k-NN with {0} rows uses at most {1} neighbours instead of 5 and 20", n, n - 1));
        }

        var verdict = CollapseVerdict.Judge(n, d, meanCosine, std, rankMe, uniformity, reference.UniformOptimum);
        return new QualityReport(
            n, d, options.Alpha, options.T, alignment, uniformity, uniformityPositives, uniformityMean,
            reference, rankMe, meanCosine, std, knn, verdict, notes);
    }
}
