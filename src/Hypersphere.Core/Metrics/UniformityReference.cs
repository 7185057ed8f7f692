namespace Hypersphere.Core.Metrics;

/// <summary>
/// What uniformity can be at best, for comparing a measured value against: the value for points
/// distributed uniformly on S^{d−1}, and the lower bound that holds for any N points.
/// </summary>
public static class UniformityReference
{
    /// <summary>
    /// L_uniform of the uniform distribution on S^{d−1}: −2t + log ₀F₁(; d/2; t²), the infimum the
    /// population loss approaches (Wang &amp; Isola, Prop. 1). d = 2 gives log(e^{−2t} I₀(2t)),
    /// d = 3 gives log((1 − e^{−4t}) / 4t); it tends to −2t as d grows.
    /// </summary>
    public static double UniformOptimum(int dim, double t)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        Uniformity.CheckT(t);
        return (-2 * t) + LogHypergeometric0F1(dim / 2.0, t * t);
    }

    /// <summary>
    /// The lower bound −2tN/(N−1) that any N points on the sphere satisfy (Jensen plus
    /// Σ_{i&lt;j}‖xᵢ − xⱼ‖² ≤ N²); equality for the vertices of a regular simplex.
    /// </summary>
    public static double FiniteNBound(int n, double t)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 2);
        Uniformity.CheckT(t);
        return -2 * t * n / (n - 1);
    }

    /// <summary>
    /// log ₀F₁(; b; z) for b &gt; 0, z ≥ 0, summing the series Σ zᵏ / ((b)ₖ k!) in log space so
    /// large t neither overflows nor loses the small terms.
    /// </summary>
    internal static double LogHypergeometric0F1(double b, double z)
    {
        // Terms rise until k(b + k) ≈ z, then fall faster than geometrically.
        var logTerm = 0.0;
        var max = 0.0;
        var terms = new List<double> { 0.0 };
        for (var k = 0; k < 100_000; k++)
        {
            logTerm += Math.Log(z) - Math.Log((b + k) * (k + 1));
            if (z == 0)
            {
                break;
            }

            terms.Add(logTerm);
            max = Math.Max(max, logTerm);
            if (logTerm < max - 50 && (k + 1) * (b + k + 1) > z)
            {
                break;
            }
        }

        var sum = 0.0;
        foreach (var term in terms)
        {
            sum += Math.Exp(term - max);
        }

        return max + Math.Log(sum);
    }
}
