using MathNet.Numerics;

namespace Hypersphere.Core.Metrics;

/// <summary>
/// −2t + log ₀F₁(; b; t²), the uniformity of uniform points on S^{d−1} with b = d/2, for any t &gt; 0.
/// ₀F₁(; b; t²) = Γ(b) t^{1−b} I_ν(2t) with ν = b − 1, so for large t the value is
/// log Γ(b) + (1 − b) log t + (log I_ν(x) − x) with x = 2t, where the −2t and the e^{x} growth of
/// I_ν cancel analytically instead of in floating point.
/// </summary>
internal static class OptimumSeries
{
    /// <summary>Up to this t the power series is summed; its terms peak near k ≈ t, so it needs about t terms.</summary>
    internal const double SeriesLimit = 1e5;

    /// <summary>Beyond <see cref="SeriesLimit"/>, Hankel's expansion in 1/x is used while ν² ≤ x / this, Debye's in 1/ν otherwise.</summary>
    private const double HankelMargin = 100;

    private const int MaxTerms = 200_000;

    /// <summary>−2t + log ₀F₁(; b; t²).</summary>
    public static double LogOptimum(double b, double t)
    {
        if (t <= SeriesLimit)
        {
            return LogSeries(b, t, -2 * t);
        }

        var nu = b - 1;
        var x = 2 * t;
        var scaledLogBessel = nu * nu <= x / HankelMargin ? HankelScaledLogBessel(nu, x) : DebyeScaledLogBessel(nu, x);
        return SpecialFunctions.GammaLn(b) + ((1 - b) * Math.Log(t)) + scaledLogBessel;
    }

    /// <summary>
    /// <paramref name="offset"/> + log Σ t^{2k} / ((b)ₖ k!), in log space so no term overflows. Each log
    /// term is accumulated with Neumaier compensation, because the largest terms sit about t steps in, and
    /// shifted by the offset before rounding, because −2t cancels all but a few units of their size.
    /// </summary>
    internal static double LogSeries(double b, double t, double offset)
    {
        var z = t * t;
        double logTerm = 0, compensation = 0, max = offset;
        var terms = new List<double> { offset };
        for (var k = 0; k < MaxTerms; k++)
        {
            // Two logs of ratios near 1 at the peak, not log t² − log(…): a rounded log t² would repeat its error t times.
            var step = Math.Log(t / (b + k)) + Math.Log(t / (k + 1));
            if (step == double.NegativeInfinity)
            {
                break; // t/(b + k) underflowed: this term and all later ones are 0
            }

            var sum = logTerm + step;
            compensation += Math.Abs(logTerm) >= Math.Abs(step) ? (logTerm - sum) + step : (step - sum) + logTerm;
            logTerm = sum;
            var term = (logTerm + offset) + compensation;
            terms.Add(term);
            max = Math.Max(max, term);

            // Past the peak the terms fall faster than geometrically: e^{−50} of the largest is negligible.
            if (term < max - 50 && (k + 1) * (b + k + 1) > z)
            {
                break;
            }
        }

        var total = 0.0;
        foreach (var term in terms)
        {
            total += Math.Exp(term - max);
        }

        return max + Math.Log(total);
    }

    /// <summary>
    /// log(e^{−x} I_ν(x)) by Hankel's large-argument expansion
    /// I_ν(x) ~ e^{x} / √(2πx) · Σ (−1)ᵏ aₖ(ν) / xᵏ, aₖ = Πⱼ₌₁ᵏ (4ν² − (2j − 1)²) / (k! 8ᵏ);
    /// accurate to rounding once ν² ≪ x, where the terms shrink at least a hundredfold each.
    /// </summary>
    internal static double HankelScaledLogBessel(double nu, double x)
    {
        var mu = 4 * nu * nu;
        double sum = 1, term = 1;
        for (var k = 1; k < 60; k++)
        {
            var next = -term * (mu - ((2 * k) - 1) * ((2.0 * k) - 1)) / (8 * k * x);
            if (Math.Abs(next) >= Math.Abs(term) || next == 0)
            {
                break; // the expansion is asymptotic: stop at its smallest term
            }

            term = next;
            sum += term;
            if (Math.Abs(term) < 1e-18 * Math.Abs(sum))
            {
                break;
            }
        }

        return (-0.5 * Math.Log(2 * Math.PI * x)) + Math.Log(sum);
    }

    /// <summary>
    /// log(e^{−x} I_ν(x)) by Debye's uniform expansion in 1/ν (DLMF 10.41.3),
    /// I_ν(νz) ~ e^{νη} / (√(2πν) (1 + z²)^{1/4}) · Σ Uₖ(p)/νᵏ with p = 1/√(1 + z²),
    /// η = √(1 + z²) + log(z / (1 + √(1 + z²))); with ν &gt; 40 here the first omitted term is below 1e-11.
    /// </summary>
    internal static double DebyeScaledLogBessel(double nu, double x)
    {
        var z = x / nu;
        var s = Math.Sqrt(1 + (z * z));
        var p = 1 / s;

        // νη − x = ν(s − z) − ν log((1 + s)/z), with s − z = 1/(s + z): no cancellation for large z.
        var exponent = (nu / (s + z)) - (nu * LogOnePlus((1 + (1 / (s + z))) / z));
        var p2 = p * p;
        var u1 = p * (3 - (5 * p2)) / 24;
        var u2 = p2 * (81 + (p2 * (-462 + (385 * p2)))) / 1152;
        var u3 = p * p2 * (30375 + (p2 * (-369603 + (p2 * (765765 - (425425 * p2)))))) / 414720;
        var u4 = p2 * p2 * (4465125 + (p2 * (-94121676 + (p2 * (349922430 + (p2 * (-446185740 + (185910725 * p2)))))))) / 39813120;
        var series = 1 + ((u1 + ((u2 + ((u3 + (u4 / nu)) / nu)) / nu)) / nu);
        return exponent - (0.5 * Math.Log(2 * Math.PI * nu)) - (0.5 * Math.Log(s)) + Math.Log(series);
    }

    /// <summary>log(1 + y) accurate for tiny y (Goldberg's trick: the rounding of 1 + y cancels in the ratio).</summary>
    private static double LogOnePlus(double y)
    {
        var u = 1 + y;
        return u == 1 ? y : Math.Log(u) * y / (u - 1);
    }
}
