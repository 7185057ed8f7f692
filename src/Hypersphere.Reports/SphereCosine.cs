using MathNet.Numerics;

namespace Hypersphere.Reports;

/// <summary>
/// The distribution of u = x·y for x, y independent and uniform on S^{d−1}: the reference the
/// all-pair cosine histogram is drawn against.
/// </summary>
public static class SphereCosine
{
    /// <summary>
    /// Density of u on (−1, 1): Γ(d/2) / (√π Γ((d−1)/2)) · (1 − u²)^{(d−3)/2}, computed in log space
    /// (log-gamma) so it stays finite for large d. d = 2 is the arcsine density 1/(π√(1 − u²)), d = 3
    /// the uniform density 1/2. Zero outside [−1, 1] (and at ±1 for d ≥ 4).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dim"/> &lt; 2: for d = 1, u = ±1 and has no density.</exception>
    public static double Density(int dim, double u)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 2);
        if (double.IsNaN(u) || u < -1 || u > 1)
        {
            return 0;
        }

        var oneMinus = (1 - u) * (1 + u);
        if (dim == 3)
        {
            return 0.5;
        }

        if (oneMinus <= 0)
        {
            return dim < 3 ? double.PositiveInfinity : 0;
        }

        return Math.Exp(LogNormaliser(dim) + ((dim - 3) / 2.0 * Math.Log(oneMinus)));
    }

    /// <summary>log of Γ(d/2) / (√π Γ((d−1)/2)).</summary>
    internal static double LogNormaliser(int dim) =>
        SpecialFunctions.GammaLn(dim / 2.0) - (0.5 * Math.Log(Math.PI)) - SpecialFunctions.GammaLn((dim - 1) / 2.0);
}
