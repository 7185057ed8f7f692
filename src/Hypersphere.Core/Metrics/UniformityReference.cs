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
    /// d = 3 gives log((1 − e^{−4t}) / 4t); it tends to −2t as d grows. Finite for every accepted t
    /// (see <see cref="OptimumSeries"/> for how).
    /// </summary>
    public static double UniformOptimum(int dim, double t)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        Uniformity.CheckT(t);
        return OptimumSeries.LogOptimum(dim / 2.0, t);
    }

    /// <summary>
    /// The lower bound −2tN/(N−1) that any N points on the sphere satisfy (Jensen plus
    /// Σ_{i&lt;j}‖xᵢ − xⱼ‖² ≤ N²); equality for the vertices of a regular simplex.
    /// </summary>
    public static double FiniteNBound(int n, double t)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 2);
        Uniformity.CheckT(t);

        // N/(N−1) ≤ 2 first: 2t·N would overflow for t near its maximum.
        return -2 * t * (n / (n - 1.0));
    }
}
