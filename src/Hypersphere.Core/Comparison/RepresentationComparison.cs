using System.Globalization;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Errors;
using Hypersphere.Core.IO;

namespace Hypersphere.Core.Comparison;

/// <summary>How two representations are compared.</summary>
/// <param name="K">Neighbours per input for the mutual k-NN overlap (capped at rows − 1).</param>
/// <param name="RbfThreshold">θ of the RBF kernel exp(−‖x − y‖² / (2θ²·median)).</param>
/// <param name="MaxRbfRows">Most rows RBF CKA uses (it needs two N×N matrices); beyond it a seeded sample of rows.</param>
/// <param name="Seed">Seed of the row samples.</param>
/// <param name="MaxKnnRows">Most rows the mutual k-NN overlap uses (its cost is N²·(p + q)); beyond it a seeded sample of rows.</param>
public sealed record ComparisonOptions(int K = 10, double RbfThreshold = 1.0, int MaxRbfRows = 4096, int Seed = 0, int MaxKnnRows = 20_000)
{
    /// <summary>Refuses out-of-range options with what was expected.</summary>
    public void Validate()
    {
        if (K < 1)
        {
            throw HypersphereException.Invalid($"k must be at least 1, but was {K}");
        }

        if (!(RbfThreshold > 0) || double.IsInfinity(RbfThreshold))
        {
            throw HypersphereException.Invalid($"the RBF threshold must be a positive number, but was {RbfThreshold}");
        }

        if (MaxRbfRows < Cka.MinRowsDebiased || MaxKnnRows < Cka.MinRowsDebiased)
        {
            throw HypersphereException.Invalid($"the RBF and k-NN row caps must be at least {Cka.MinRowsDebiased}, but were {MaxRbfRows} and {MaxKnnRows}");
        }
    }
}

/// <summary>Two representations of the same inputs compared (JSON snake_case, like quality reports).</summary>
/// <param name="Rows">Inputs compared (rows of each).</param>
/// <param name="DimA">Columns of A.</param>
/// <param name="DimB">Columns of B.</param>
/// <param name="LinearCka">Linear CKA, biased HSIC; null when a side has no variance.</param>
/// <param name="LinearCkaDebiased">Linear CKA, unbiased HSIC; null below 4 rows or without variance.</param>
/// <param name="RbfCka">RBF CKA (biased, median heuristic); null when over half the pairs of a side coincide.</param>
/// <param name="RbfThreshold">θ used.</param>
/// <param name="RbfRows">Rows RBF CKA used (all, or the seeded sample).</param>
/// <param name="MutualKnn">Mean mutual k-NN overlap, in [0, 1].</param>
/// <param name="KnnRows">Rows the overlap used (all, or the seeded sample).</param>
/// <param name="K">k used.</param>
/// <param name="Warnings">What the reader should know (sampling, capped k, missing values).</param>
public sealed record ComparisonReport(
    int Rows,
    int DimA,
    int DimB,
    double? LinearCka,
    double? LinearCkaDebiased,
    double? RbfCka,
    double RbfThreshold,
    int RbfRows,
    double MutualKnn,
    int KnnRows,
    int K,
    IReadOnlyList<string> Warnings);

/// <summary>Compares two representations of the same inputs: CKA three ways and the mutual k-NN overlap.</summary>
public static class RepresentationComparison
{
    /// <summary>Every measure of <see cref="ComparisonReport"/> on <paramref name="a"/> and <paramref name="b"/>.</summary>
    public static ComparisonReport Compare(MatrixData a, MatrixData b, ComparisonOptions? options = null)
    {
        options ??= new ComparisonOptions();
        options.Validate();
        Cka.CheckPair(a, b);
        var n = a.Rows;
        var warnings = new List<string>();
        var (ka, kb) = (a, b);
        if (n > options.MaxKnnRows)
        {
            var rows = RowSample.Indices(n, options.MaxKnnRows, options.Seed + 1);
            (ka, kb) = (Take(a, rows), Take(b, rows));
            warnings.Add(Text($"mutual_knn is computed on a seeded sample of {rows.Length} of the {n} rows (seed {options.Seed + 1}), neighbours within the sample"));
        }

        var k = Math.Min(options.K, ka.Rows - 1);
        if (k < options.K)
        {
            warnings.Add(Text($"k was capped at rows − 1 = {k}"));
        }

        double? debiased = null;
        if (n >= Cka.MinRowsDebiased)
        {
            debiased = Cka.LinearDebiased(a, b);
        }
        else
        {
            warnings.Add(Text($"linear_cka_debiased needs at least {Cka.MinRowsDebiased} rows"));
        }

        var (ra, rb) = (a, b);
        if (n > options.MaxRbfRows)
        {
            var rows = RowSample.Indices(n, options.MaxRbfRows, options.Seed);
            (ra, rb) = (Take(a, rows), Take(b, rows));
            warnings.Add(Text($"rbf_cka is computed on a seeded sample of {rows.Length} of the {n} rows (seed {options.Seed}); the rest on all rows"));
        }

        var linear = Cka.Linear(a, b);
        var rbf = Cka.Rbf(ra, rb, options.RbfThreshold);
        if (linear is null)
        {
            warnings.Add("one representation has no variance (every row the same): CKA is undefined");
        }
        else if (rbf is null)
        {
            warnings.Add("over half the pairs of one representation coincide (median distance 0): RBF CKA is undefined");
        }

        return new ComparisonReport(n, a.Cols, b.Cols, linear, debiased, rbf, options.RbfThreshold, ra.Rows, MutualNeighbours.Overlap(ka, kb, k), ka.Rows, k, warnings);
    }

    private static MatrixData Take(MatrixData m, int[] rows) => new(RowSample.Gather(m.Values, m.Cols, rows), rows.Length, m.Cols);

    private static string Text(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
