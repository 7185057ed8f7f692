using Hypersphere.Core.Errors;
using Hypersphere.Core.IO;
using Hypersphere.Core.Metrics;
using System.Numerics.Tensors;

namespace Hypersphere.Core.Comparison;

/// <summary>
/// Centred kernel alignment (Kornblith et al., ICML 2019) between two representations of the same inputs,
/// row i of each the same input: how alike the two see the inputs, invariant to rotations, isotropic scaling
/// and translations of either, and comparable across dimensions.
/// <list type="bullet">
/// <item>Linear CKA, biased: ‖YᶜᵀXᶜ‖²_F / (‖XᶜᵀXᶜ‖_F ‖YᶜᵀYᶜ‖_F) with column-centred Xᶜ, Yᶜ: in feature space,
/// O(N·p·q), any N.</item>
/// <item>Linear CKA with the unbiased HSIC estimator (Song et al., JMLR 2012) in place of the biased one:
/// near 0 for independent representations at any N, where the biased one is not. Also in feature space.</item>
/// <item>RBF CKA, biased, with the kernel exp(−‖xᵢ − xⱼ‖² / (2 θ² m)), m the median squared distance over
/// distinct pairs (the median heuristic) and θ the threshold (1 by default): needs the N×N Gram matrices.</item>
/// </list>
/// </summary>
public static class Cka
{
    /// <summary>The unbiased estimator needs at least this many rows (its normaliser is N(N − 3)).</summary>
    public const int MinRowsDebiased = 4;

    /// <summary>Linear CKA with the biased HSIC estimator; null when either side has no variance (every row the same).</summary>
    public static double? Linear(MatrixData a, MatrixData b)
    {
        CheckPair(a, b);
        var (x, y) = (Centred(a), Centred(b));
        var xy = CrossNormSquared(x, y);
        var xx = Math.Sqrt(CrossNormSquared(x, x));
        var yy = Math.Sqrt(CrossNormSquared(y, y));
        return xx > 0 && yy > 0 ? xy / (xx * yy) : null;
    }

    /// <summary>
    /// Linear CKA with the unbiased HSIC estimator; null when either side has no variance. With finite N it may be
    /// slightly negative or above 1 (an estimate of a quantity in [0, 1]).
    /// </summary>
    public static double? LinearDebiased(MatrixData a, MatrixData b)
    {
        CheckPair(a, b);
        var (x, y) = (Centred(a), Centred(b));
        if (x.Rows < MinRowsDebiased)
        {
            throw HypersphereException.Invalid($"the unbiased CKA estimator needs at least {MinRowsDebiased} rows, but there were {x.Rows}");
        }

        var xy = UnbiasedLinearHsic(x, y);
        var xx = UnbiasedLinearHsic(x, x);
        var yy = UnbiasedLinearHsic(y, y);
        return xx > 0 && yy > 0 ? xy / Math.Sqrt(xx * yy) : null;
    }

    /// <summary>
    /// RBF CKA (biased) of the rows; null when either side has no variance. O(N²(p + q)) time and 2N² doubles of
    /// memory: callers cap N (<see cref="RepresentationComparison"/> samples rows beyond its cap).
    /// </summary>
    public static double? Rbf(MatrixData a, MatrixData b, double threshold = 1.0)
    {
        if (!(threshold > 0) || double.IsInfinity(threshold))
        {
            throw HypersphereException.Invalid($"the RBF threshold must be a positive number, but was {threshold}");
        }

        CheckPair(a, b);
        var k = RbfGram(a, threshold);
        var l = RbfGram(b, threshold);
        if (k is null || l is null)
        {
            return null;
        }

        var n = a.Rows;
        CentreGram(k, n);
        CentreGram(l, n);
        double kl = 0, kk = 0, ll = 0;
        for (var i = 0; i < k.Length; i++)
        {
            kl += k[i] * l[i];
            kk += k[i] * k[i];
            ll += l[i] * l[i];
        }

        return kk > 0 && ll > 0 ? kl / Math.Sqrt(kk * ll) : null;
    }

    /// <summary>Refuses pairs that are not two representations of the same inputs, and non-finite values.</summary>
    internal static void CheckPair(MatrixData a, MatrixData b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rows != b.Rows)
        {
            throw HypersphereException.Invalid(
                $"the two representations must hold the same inputs in the same order, but A has {a.Rows} rows and B {b.Rows}");
        }

        if (a.Rows < 2 || a.Cols < 1 || b.Cols < 1)
        {
            throw HypersphereException.Invalid($"comparing needs at least 2 rows of at least 1 column, but A was {a.Rows}×{a.Cols} and B {b.Rows}×{b.Cols}");
        }

        foreach (var (m, name) in new[] { (a, "A"), (b, "B") })
        {
            var bad = Array.FindIndex(m.Values, v => !double.IsFinite(v));
            if (bad >= 0)
            {
                throw HypersphereException.Invalid($"{name} must hold finite numbers, but row {bad / m.Cols}, column {bad % m.Cols} was {m.Values[bad]}");
            }
        }
    }

    /// <summary>Column-centred copy (the estimators are invariant to it; centring first keeps the sums small).</summary>
    private static MatrixData Centred(MatrixData m)
    {
        ArgumentNullException.ThrowIfNull(m);
        var mean = new double[m.Cols];
        for (var i = 0; i < m.Rows; i++)
        {
            for (var c = 0; c < m.Cols; c++)
            {
                mean[c] += m.Values[(i * m.Cols) + c];
            }
        }

        var centred = new double[m.Values.Length];
        for (var i = 0; i < m.Rows; i++)
        {
            for (var c = 0; c < m.Cols; c++)
            {
                centred[(i * m.Cols) + c] = m.Values[(i * m.Cols) + c] - (mean[c] / m.Rows);
            }
        }

        return new MatrixData(centred, m.Rows, m.Cols);
    }

    /// <summary>
    /// ‖XᵀY‖²_F = Σᵢⱼ (xᵢ·xⱼ)(yᵢ·yⱼ): through the p×q cross product when that is the smaller matrix, else through the
    /// two N×N Gram matrices, so memory is min(p·q, N²) doubles (at most √(N·p · N·q): a few wide rows cannot ask for
    /// a p×q matrix of trillions of entries).
    /// </summary>
    private static double CrossNormSquared(MatrixData x, MatrixData y)
    {
        var n = x.Rows;
        if ((long)x.Cols * y.Cols <= (long)n * n)
        {
            return FrobeniusSquared(CrossProduct(x, y));
        }

        var k = GramMatrix.OfRows(x.Values, n, x.Cols);
        var l = ReferenceEquals(x, y) ? k : GramMatrix.OfRows(y.Values, n, y.Cols);
        return TensorPrimitives.Dot<double>(k, l);
    }

    /// <summary>XᵀY (p×q, row-major): Σᵢ xᵢ yᵢᵀ.</summary>
    private static double[] CrossProduct(MatrixData x, MatrixData y)
    {
        var (p, q) = (x.Cols, y.Cols);
        var product = new double[p * q];
        for (var i = 0; i < x.Rows; i++)
        {
            var xi = x.Values.AsSpan(i * p, p);
            var yi = y.Values.AsSpan(i * q, q);
            for (var r = 0; r < p; r++)
            {
                var target = product.AsSpan(r * q, q);
                TensorPrimitives.MultiplyAdd(yi, xi[r], target, target);
            }
        }

        return product;
    }

    private static double FrobeniusSquared(double[] m) => TensorPrimitives.Dot<double>(m, m);

    /// <summary>
    /// Song et al.'s unbiased HSIC for the linear kernels K = XXᵀ, L = YYᵀ without forming them: with K̃, L̃ the
    /// kernels with their diagonals zeroed, HSIC = [tr(K̃L̃) + 1ᵀK̃1·1ᵀL̃1 / ((N−1)(N−2)) − 2·1ᵀK̃L̃1 / (N−2)] / (N(N−3)),
    /// where tr(K̃L̃) = ‖XᵀY‖²_F − Σᵢ‖xᵢ‖²‖yᵢ‖², 1ᵀK̃1 = ‖Σᵢxᵢ‖² − Σᵢ‖xᵢ‖² and (K̃1)ᵢ = xᵢ·Σⱼxⱼ − ‖xᵢ‖².
    /// </summary>
    private static double UnbiasedLinearHsic(MatrixData x, MatrixData y)
    {
        var n = x.Rows;
        var (sx, sy) = (ColumnSums(x), ColumnSums(y));
        double diagonal = 0, kSum = 0, lSum = 0, kl = 0;
        for (var i = 0; i < n; i++)
        {
            var xi = x.Values.AsSpan(i * x.Cols, x.Cols);
            var yi = y.Values.AsSpan(i * y.Cols, y.Cols);
            double kii = TensorPrimitives.Dot(xi, xi), lii = TensorPrimitives.Dot(yi, yi);
            diagonal += kii * lii;
            var kRow = TensorPrimitives.Dot(xi, sx) - kii;
            var lRow = TensorPrimitives.Dot(yi, sy) - lii;
            kSum += kRow;
            lSum += lRow;
            kl += kRow * lRow;
        }

        var trace = CrossNormSquared(x, y) - diagonal;
        return (trace + (kSum * lSum / ((n - 1.0) * (n - 2.0))) - (2.0 * kl / (n - 2.0))) / (n * (n - 3.0));
    }

    private static double[] ColumnSums(MatrixData m)
    {
        var sums = new double[m.Cols];
        for (var i = 0; i < m.Rows; i++)
        {
            TensorPrimitives.Add(sums, m.Values.AsSpan(i * m.Cols, m.Cols), sums);
        }

        return sums;
    }

    /// <summary>exp(−‖xᵢ − xⱼ‖² / (2θ²m)), N×N row-major, m the median squared distance over i &lt; j; null when m = 0 (over half the pairs coincide).</summary>
    private static double[]? RbfGram(MatrixData m, double threshold)
    {
        var n = m.Rows;
        var x = Centred(m);
        var gram = GramMatrix.OfRows(x.Values, n, x.Cols);
        var distances = new double[n * n];
        var upper = new double[n * (n - 1) / 2];
        var u = 0;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var d = Math.Max(0, gram[(i * n) + i] + gram[(j * n) + j] - (2 * gram[(i * n) + j]));
                distances[(i * n) + j] = i == j ? 0 : d;
                if (j > i)
                {
                    upper[u++] = d;
                }
            }
        }

        var median = Median(upper);
        if (!(median > 0))
        {
            return null;
        }

        var scale = -1 / (2 * threshold * threshold * median);
        for (var i = 0; i < distances.Length; i++)
        {
            distances[i] = Math.Exp(distances[i] * scale);
        }

        return distances;
    }

    /// <summary>The median (mean of the two middle values for an even count); reorders <paramref name="values"/>.</summary>
    private static double Median(double[] values)
    {
        Array.Sort(values);
        var h = values.Length / 2;
        return values.Length % 2 == 1 ? values[h] : (values[h - 1] + values[h]) / 2;
    }

    /// <summary>HKH with H = I − 11ᵀ/N, in place.</summary>
    private static void CentreGram(double[] k, int n)
    {
        var rowMeans = new double[n];
        var total = 0.0;
        for (var i = 0; i < n; i++)
        {
            var sum = 0.0;
            for (var j = 0; j < n; j++)
            {
                sum += k[(i * n) + j];
            }

            rowMeans[i] = sum / n;
            total += sum;
        }

        total /= (double)n * n;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                // K is symmetric, so column means are the row means.
                k[(i * n) + j] += total - rowMeans[i] - rowMeans[j];
            }
        }
    }
}
