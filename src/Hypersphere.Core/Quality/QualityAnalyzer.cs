using System.Globalization;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Errors;
using Hypersphere.Core.Metrics;

namespace Hypersphere.Core.Quality;

/// <summary>Settings of a quality analysis.</summary>
/// <param name="Alpha">Alignment exponent α in (0, <see cref="Alignment.MaxAlpha"/>].</param>
/// <param name="T">Uniformity kernel width t in (0, <see cref="Uniformity.MaxT"/>].</param>
/// <param name="MaxDegreeOfParallelism">Cores for the pairwise passes; −1 for all.</param>
/// <param name="Sampling">Exact or sampled (default: exact up to <see cref="SamplingOptions.DefaultAutoAbovePairs"/> pairs).</param>
/// <param name="Precision">Arithmetic of the exact uniformity kernel; null for <see cref="Uniformity.DefaultPrecision"/> (single for float32 files, double otherwise).</param>
/// <param name="Progress">Told the fraction done of the exact uniformity pass (the long part), as it goes.</param>
/// <param name="Cancellation">Stops the analysis between and within its passes (<see cref="OperationCanceledException"/>); with the
/// options rather than a parameter so callers that pass options pass it along.</param>
public sealed record QualityOptions(
    double Alpha = Alignment.DefaultAlpha,
    double T = Uniformity.DefaultT,
    int MaxDegreeOfParallelism = -1,
    SamplingOptions? Sampling = null,
    KernelPrecision? Precision = null,
    IProgress<double>? Progress = null,
    CancellationToken Cancellation = default);

/// <summary>Computes a <see cref="QualityReport"/>: the one implementation behind the trainer's logs, the CLI and the service.</summary>
public static class QualityAnalyzer
{
    /// <summary>Below this many rows the estimates get a warning.</summary>
    public const int SmallSample = 100;

    /// <summary>
    /// Analyses <paramref name="embeddings"/>, with optional positive views (row i pairs with row i) and labels. The rows
    /// may be in memory or memory-mapped: every measure reads them in blocks (O(N·d) passes) or as seeded row samples,
    /// except leave-one-out k-NN on all rows (labels with the exact pass), which gathers them.
    /// </summary>
    public static QualityReport Analyze(
        EmbeddingRows embeddings,
        EmbeddingRows? positives = null,
        IReadOnlyList<int>? labels = null,
        QualityOptions? options = null,
        IEnumerable<string>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        options ??= new QualityOptions();
        var cancellationToken = options.Cancellation;
        Alignment.CheckAlpha(options.Alpha);
        Uniformity.CheckT(options.T);
        if (positives is not null)
        {
            Alignment.CheckPairs(embeddings, positives);
        }

        var notes = new List<string>(warnings ?? []);
        var n = embeddings.Rows;
        var d = embeddings.Dim;
        var sampling = options.Sampling ?? new SamplingOptions();
        sampling.Validate();
        var allPairs = (long)n * (n - 1) / 2;
        var drawn = PairsToDraw(embeddings, options.T, sampling, allPairs, notes);

        double uniformity;
        double? alignment = null, uniformityPositives = null, uniformityMean = null;
        double[]? uniformityCi = null, alignmentCi = null;
        if (drawn is long m)
        {
            var estimate = SampledEstimates.Uniformity(embeddings, options.T, m, sampling.Seed, options.MaxDegreeOfParallelism);
            (uniformity, uniformityCi) = (estimate.Value, [estimate.Low, estimate.High]);
        }
        else
        {
            uniformity = Uniformity.Compute(embeddings, options.T, options.MaxDegreeOfParallelism, options.Precision, options.Progress, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();

        if (positives is not null)
        {
            if (drawn is long m2 && m2 < n)
            {
                var estimate = SampledEstimates.Alignment(embeddings, positives, options.Alpha, m2, sampling.Seed);
                (alignment, alignmentCi) = (estimate.Value, [estimate.Low, estimate.High]);
            }
            else
            {
                alignment = Alignment.Compute(embeddings, positives, options.Alpha);
            }

            uniformityPositives = drawn is long m3
                ? SampledEstimates.Uniformity(positives, options.T, m3, sampling.Seed + 1, options.MaxDegreeOfParallelism).Value
                : Uniformity.Compute(positives, options.T, options.MaxDegreeOfParallelism, options.Precision, cancellationToken: cancellationToken);
            uniformityMean = (uniformity + uniformityPositives.Value) / 2;
        }

        var reference = new UniformityReferenceValues(
            UniformityReference.UniformOptimum(d, options.T),
            UniformityReference.FiniteNBound(n, options.T));
        var rankMeRows = drawn is null ? embeddings : RowSample(embeddings, SamplingOptions.RankMeRows, sampling.Seed);
        var rankMe = RankMe.Compute(rankMeRows);
        cancellationToken.ThrowIfCancellationRequested();
        var meanCosine = Spread.MeanCosine(embeddings);
        var std = Spread.StdTimesSqrtDim(embeddings);
        cancellationToken.ThrowIfCancellationRequested();
        KnnAccuracy? knn = null;
        int? knnRows = null;
        if (labels is not null)
        {
            var (rows, rowLabels) = drawn is null || n <= SamplingOptions.KnnRows ? (embeddings.ToMatrix(), labels) : LabelledSample(embeddings, labels, sampling.Seed);
            knn = NearestNeighbourAccuracy.Compute(rows, rowLabels);
            knnRows = rows.Rows;
        }

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
            n, d, options.Alpha, options.T, drawn is null ? "exact" : "sampled", drawn ?? allPairs, alignment, alignmentCi, uniformity, uniformityCi,
            uniformityPositives, uniformityMean, reference, rankMe, rankMeRows.Rows, meanCosine, std, knn, knnRows, verdict, notes);
    }

    /// <summary>The pairs to draw, or null for the exact pass; notes why when the choice was not asked for.</summary>
    private static long? PairsToDraw(EmbeddingRows x, double t, SamplingOptions sampling, long allPairs, List<string> notes)
    {
        var c = CultureInfo.InvariantCulture;
        if (sampling.Exact)
        {
            if (allPairs > sampling.MaxExactPairs)
            {
                throw new HypersphereException(ErrorKind.TooLarge, string.Format(
                    c, "an exact pass over {0} rows visits {1} pairs, but at most {2} are allowed here; leave exact out (or ask for sample_pairs or an error) to have them sampled", x.Rows, allPairs, sampling.MaxExactPairs));
            }

            return null;
        }

        var error = sampling.Error;
        if (sampling.Pairs is null && error is null)
        {
            if (allPairs <= Math.Min(sampling.AutoAbovePairs, sampling.MaxExactPairs))
            {
                return null;
            }

            error = SamplingOptions.DefaultError;
            notes.Add(string.Format(c, "{0} rows make {1} pairs, more than the {2} computed exactly by default: uniformity, alignment, RankMe and k-NN are estimated from seeded samples (95 % intervals in uniformity_ci and alignment_ci); ask for exact to visit every pair", x.Rows, allPairs, Math.Min(sampling.AutoAbovePairs, sampling.MaxExactPairs)));
        }

        var pairs = sampling.Pairs ?? Math.Max(
            SamplingOptions.PilotPairs,
            SampledEstimates.PairsForError(SampledEstimates.Uniformity(x, t, Math.Min(SamplingOptions.PilotPairs, Math.Max(2, allPairs)), ~sampling.Seed), error!.Value));
        if (pairs > sampling.MaxSampledPairs)
        {
            throw new HypersphereException(ErrorKind.TooLarge, string.Format(
                c, "{0} needs {1} sampled pairs, but at most {2} are allowed here; ask for a larger error or fewer pairs", sampling.Pairs is null ? $"a 95 % half-width of {error}" : "the request", pairs, sampling.MaxSampledPairs));
        }

        if (pairs >= allPairs)
        {
            notes.Add(string.Format(c, "sampling {0} pairs would cost more than the {1} pairs there are: computed exactly instead", pairs, allPairs));
            return null;
        }

        return pairs;
    }

    /// <summary>At most <paramref name="count"/> rows drawn without replacement with <paramref name="seed"/>, in their order.</summary>
    private static EmbeddingRows RowSample(EmbeddingRows x, int count, int seed) =>
        x.Rows <= count ? x : x.Gather(Embeddings.RowSample.Indices(x.Rows, count, seed));

    private static (EmbeddingMatrix Rows, IReadOnlyList<int> Labels) LabelledSample(EmbeddingRows x, IReadOnlyList<int> labels, int seed)
    {
        var rows = Embeddings.RowSample.Indices(x.Rows, SamplingOptions.KnnRows, seed + 2);
        return (x.Gather(rows), rows.Select(i => labels[i]).ToArray());
    }
}
