using System.Globalization;

namespace Hypersphere.Core.Quality;

/// <summary>A verdict on representation collapse with the numbers behind it.</summary>
/// <param name="Status"><c>healthy</c>, <c>dimensional_collapse</c> or <c>collapsed</c>.</param>
/// <param name="Reason">One sentence that names the deciding numbers.</param>
public sealed record CollapseVerdict(string Status, string Reason)
{
    /// <summary>The <see cref="Status"/> of embeddings that show no collapse.</summary>
    public const string Healthy = "healthy";

    /// <summary>Mean cosine above which the rows are taken to coincide.</summary>
    public const double CollapsedMeanCosine = 0.9;

    /// <summary>RankMe below this fraction of min(N, d) is dimensional collapse.</summary>
    public const double DimensionalFraction = 0.1;

    /// <summary>
    /// Complete collapse when the rows nearly coincide (mean cosine &gt; 0.9);
    /// dimensional collapse when RankMe uses under a tenth of the directions available
    /// (Jing et al. 2022; Garrido et al. 2023); healthy otherwise.
    /// </summary>
    public static CollapseVerdict Judge(int n, int dim, double meanCosine, double stdSqrtD, double rankMe, double uniformity, double optimum)
    {
        var available = Math.Min(n, dim);
        var c = CultureInfo.InvariantCulture;
        // Only the mean cosine decides complete collapse: std·√d shrinks like √(k/d) for points spread over
        // a k-dimensional subspace, so in high d it would call well-spread points collapsed.
        if (meanCosine > CollapsedMeanCosine)
        {
            return new("collapsed", string.Format(
                c,
                "the embeddings nearly coincide: mean pairwise cosine {0:F3} (collapse above {1}), std·√d {2:F3}",
                meanCosine,
                CollapsedMeanCosine,
                stdSqrtD));
        }

        if (available > 1 && rankMe < Math.Max(1.5, DimensionalFraction * available))
        {
            return new("dimensional_collapse", string.Format(
                c,
                "the embeddings span few directions: RankMe {0:F1} of {1} available (collapse below {2:P0})",
                rankMe,
                available,
                DimensionalFraction));
        }

        return new(Healthy, string.Format(
            c,
            "no sign of collapse: RankMe {0:F1} of {1} available, mean cosine {2:F3}, uniformity {3} against {4} for points uniform on the sphere",
            rankMe,
            available,
            meanCosine,
            Readable(uniformity),
            Readable(optimum)));
    }

    /// <summary>Four decimals, or six significant digits once that would print hundreds of digits (t up to 1e300 scales uniformity).</summary>
    private static string Readable(double value) =>
        value.ToString(Math.Abs(value) < 1e9 ? "F4" : "G6", CultureInfo.InvariantCulture);
}
