using System.Globalization;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Errors;

namespace Hypersphere.Core.Metrics;

/// <summary>
/// Alignment, L_align(f; α) = E ‖f(x) − f(y)‖₂^α over positive pairs (row i of x with row i of y),
/// as in the paper's official code: <c>(x − y).norm(dim=1).pow(α).mean()</c>, in float64.
/// </summary>
public static class Alignment
{
    /// <summary>The paper's default exponent.</summary>
    public const double DefaultAlpha = 2;

    /// <summary>
    /// Largest accepted α. Distances between unit vectors are at most 2, so alignment is at most 2^α,
    /// which must stay finite in double precision (2^1023 is the last power of two that does).
    /// </summary>
    public const double MaxAlpha = 1000;

    /// <summary>
    /// Mean of ‖xᵢ − yᵢ‖^α. Distances come from the differences, not 2 − 2cos, so near-identical pairs keep
    /// full precision. For α ≠ 2 each power is taken relative to the largest distance m, as m^α · mean((‖xᵢ − yᵢ‖/m)^α),
    /// so a sum of N values near 2^α cannot overflow.
    /// </summary>
    public static double Compute(EmbeddingRows x, EmbeddingRows y, double alpha = DefaultAlpha)
    {
        CheckAlpha(alpha);
        var distances = SquaredDistances(x, y);
        var squaredSum = 0.0;
        foreach (var d2 in distances)
        {
            squaredSum += d2;
        }

        if (alpha == 2)
        {
            return squaredSum / x.Rows;
        }

        var largest = Math.Sqrt(distances.Max());
        if (largest == 0)
        {
            return 0;
        }

        var sum = 0.0;
        foreach (var d2 in distances)
        {
            sum += Math.Pow(Math.Sqrt(d2) / largest, alpha);
        }

        return Math.Pow(largest, alpha) * (sum / x.Rows);
    }

    /// <summary>‖xᵢ − yᵢ‖² of every positive pair, from the differences (full precision for near-identical pairs).</summary>
    public static double[] SquaredDistances(EmbeddingRows x, EmbeddingRows y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        CheckPairs(x, y);
        var distances = new double[x.Rows];
        var other = new double[Math.Min(EmbeddingRows.PassBlock, y.Rows) * y.Dim];
        x.ForEachBlock((first, count, rows) =>
        {
            var partner = other.AsSpan(0, count * y.Dim);
            y.ReadRows(first, partner);
            for (var r = 0; r < count; r++)
            {
                distances[first + r] = SquaredDistance(rows.Slice(r * x.Dim, x.Dim), partner.Slice(r * x.Dim, x.Dim));
            }
        });

        return distances;
    }

    /// <summary>‖a − b‖² from the differences.</summary>
    internal static double SquaredDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var d2 = 0.0;
        for (var k = 0; k < a.Length; k++)
        {
            var diff = a[k] - b[k];
            d2 += diff * diff;
        }

        return d2;
    }

    /// <summary>Throws unless α is in (0, <see cref="MaxAlpha"/>].</summary>
    public static void CheckAlpha(double alpha) => CheckRange("alpha", alpha, MaxAlpha, "alignment reaches 2^alpha, which must stay finite");

    /// <summary>Refuses a parameter outside (0, <paramref name="max"/>], naming it, its range and why the range ends there.</summary>
    internal static void CheckRange(string name, double value, double max, string why)
    {
        var c = CultureInfo.InvariantCulture;
        if (!(value > 0) || !double.IsFinite(value))
        {
            throw HypersphereException.Invalid(string.Format(c, "{0} must be a finite number > 0, but was {1} (valid range (0, {2:R}])", name, value, max));
        }

        if (value > max)
        {
            throw HypersphereException.Invalid(string.Format(c, "{0} must be at most {2:R} ({3}), so in (0, {2:R}], but was {1:R}", name, value, max, why));
        }
    }

    /// <summary>Throws unless the two views pair up row for row.</summary>
    public static void CheckPairs(EmbeddingRows x, EmbeddingRows y)
    {
        if (x.Rows != y.Rows)
        {
            throw HypersphereException.Invalid(
                $"positives must pair with embeddings row for row: embeddings has {x.Rows} rows, but positives has {y.Rows}");
        }

        if (x.Dim != y.Dim)
        {
            throw HypersphereException.Invalid(
                $"positives must have the embeddings' dimension {x.Dim}, but have {y.Dim}");
        }
    }
}
