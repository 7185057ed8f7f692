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

    /// <summary>Mean of ‖xᵢ − yᵢ‖^α. Distances come from the differences, not 2 − 2cos, so near-identical pairs keep full precision.</summary>
    public static double Compute(EmbeddingMatrix x, EmbeddingMatrix y, double alpha = DefaultAlpha)
    {
        CheckAlpha(alpha);
        CheckPairs(x, y);
        var sum = 0.0;
        for (var i = 0; i < x.Rows; i++)
        {
            var a = x.Row(i);
            var b = y.Row(i);
            var d2 = 0.0;
            for (var k = 0; k < a.Length; k++)
            {
                var diff = a[k] - b[k];
                d2 += diff * diff;
            }

            sum += alpha == 2 ? d2 : Math.Pow(Math.Sqrt(d2), alpha);
        }

        return sum / x.Rows;
    }

    /// <summary>Throws unless α is a finite positive number.</summary>
    public static void CheckAlpha(double alpha)
    {
        if (!(alpha > 0) || !double.IsFinite(alpha))
        {
            throw HypersphereException.Invalid($"alpha must be a finite number > 0, but was {alpha}");
        }
    }

    /// <summary>Throws unless the two views pair up row for row.</summary>
    public static void CheckPairs(EmbeddingMatrix x, EmbeddingMatrix y)
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
