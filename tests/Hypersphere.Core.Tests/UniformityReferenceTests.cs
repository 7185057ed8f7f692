using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Metrics;

namespace Hypersphere.Core.Tests;

/// <summary>
/// The uniform-distribution optimum and the finite-N bound against closed forms, numerical
/// integration written here, values tabulated at t = 2 and Monte-Carlo estimates.
/// </summary>
public class UniformityReferenceTests
{
    private static readonly double[] Widths = [0.1, 0.5, 1, 2, 3.7, 10, 30];

    [Fact]
    public void UniformOptimumOnTheLineIsLogOfHalfOnePlusExpMinusFourT()
    {
        // S⁰ = {−1, 1}: half the pairs coincide, half are at squared distance 4.
        foreach (var t in Widths)
        {
            TestMatrices.AssertClose(Math.Log((1 + Math.Exp(-4 * t)) / 2), UniformityReference.UniformOptimum(1, t), 1e-9, 1e-12, $"t={t}");
        }
    }

    [Fact]
    public void UniformOptimumOnTheCircleIsLogOfScaledBesselI0()
    {
        foreach (var t in Widths)
        {
            var expected = Math.Log(ScaledBesselI0(2 * t));
            TestMatrices.AssertClose(expected, UniformityReference.UniformOptimum(2, t), 1e-9, 1e-12, $"t={t}");
        }
    }

    [Fact]
    public void UniformOptimumOnTheTwoSphereIsLogOfOneMinusExpOverFourT()
    {
        foreach (var t in Widths)
        {
            var expected = Math.Log((1 - Math.Exp(-4 * t)) / (4 * t));
            TestMatrices.AssertClose(expected, UniformityReference.UniformOptimum(3, t), 1e-9, 1e-12, $"t={t}");
        }
    }

    [Theory]
    [InlineData(2, -1.575027)]
    [InlineData(3, -2.079777)]
    [InlineData(16, -3.513036)]
    [InlineData(128, -3.937530)]
    public void UniformOptimumAtTTwoMatchesTabulatedValues(int dim, double expected)
    {
        TestMatrices.AssertClose(expected, UniformityReference.UniformOptimum(dim, 2), 0, 1e-6);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(16)]
    [InlineData(33)]
    [InlineData(128)]
    public void UniformOptimumMatchesNumericalIntegralOverTheAngle(int dim)
    {
        foreach (var t in new[] { 0.5, 2, 3.7, 8 })
        {
            TestMatrices.AssertClose(OptimumByQuadrature(dim, t), UniformityReference.UniformOptimum(dim, t), 1e-9, 1e-12, $"d={dim} t={t}");
        }
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(4096)]
    public void UniformOptimumApproachesMinusTwoTPlusTwoTSquaredOverD(int dim)
    {
        // E exp(2t·u) with E u² = 1/d: log ≈ 2t²/d + O(1/d²), so the optimum tends to −2t from above.
        const double t = 2;
        var optimum = UniformityReference.UniformOptimum(dim, t);
        Assert.True(optimum > -2 * t);
        TestMatrices.AssertClose((-2 * t) + (2 * t * t / dim), optimum, 0, 50.0 / ((double)dim * dim));
    }

    [Fact]
    public void UniformOptimumDecreasesWithDimension()
    {
        var previous = double.PositiveInfinity;
        foreach (var dim in new[] { 1, 2, 3, 4, 8, 16, 64, 128, 512 })
        {
            var value = UniformityReference.UniformOptimum(dim, 2);
            Assert.True(value < previous, $"d={dim}: {value} is not below {previous}");
            previous = value;
        }
    }

    [Theory]
    [InlineData(2, 2.0)]
    [InlineData(3, 2.0)]
    [InlineData(3, 0.5)]
    public void UniformityOfManyUniformPointsIsNearTheClosedForm(int dim, double t)
    {
        // With points uniform on the sphere the U-statistic's first-order term vanishes, so its
        // standard error is ≈ sd(k)·√(2/N²) / E k ≈ 1e-3 in log units at N = 3000; 5e-3 is ≥ 5σ.
        const int n = 3000;
        var x = EmbeddingMatrix.Create(SpherePoints.Uniform(n, dim, seed: 2020 + dim), n, dim, normalize: false);
        var closedForm = dim == 2 ? Math.Log(ScaledBesselI0(2 * t)) : Math.Log((1 - Math.Exp(-4 * t)) / (4 * t));
        TestMatrices.AssertClose(closedForm, Uniformity.Compute(x, t), 0, 5e-3);
    }

    [Theory]
    [InlineData(2, 2.0, -8.0)]
    [InlineData(3, 1.0, -3.0)]
    [InlineData(5, 2.0, -5.0)]
    [InlineData(101, 0.5, -1.01)]
    public void FiniteNBoundIsMinusTwoTNOverNMinusOne(int n, double t, double expected)
    {
        TestMatrices.AssertClose(expected, UniformityReference.FiniteNBound(n, t), 1e-15);
    }

    [Fact]
    public void ReferencesRejectImpossibleSizes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => UniformityReference.UniformOptimum(0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => UniformityReference.FiniteNBound(1, 2));
    }

    /// <summary>e^{−x} I₀(x) = (1/2π)∫₀^{2π} e^{x(cos θ − 1)} dθ by the trapezoid rule, exact to rounding for a periodic integrand.</summary>
    internal static double ScaledBesselI0(double x)
    {
        const int points = 4000;
        var sum = 0.0;
        for (var k = 0; k < points; k++)
        {
            sum += Math.Exp(x * (Math.Cos(2 * Math.PI * k / points) - 1));
        }

        return sum / points;
    }

    /// <summary>
    /// log E exp(−2t(1 − cos θ)) with θ the angle between two uniform points, whose density on
    /// [0, π] is ∝ sin^{d−2} θ; both integrals by the trapezoid rule.
    /// </summary>
    private static double OptimumByQuadrature(int dim, double t)
    {
        const int intervals = 20000;
        double numerator = 0, denominator = 0;
        for (var k = 0; k <= intervals; k++)
        {
            var theta = Math.PI * k / intervals;
            var weight = (k == 0 || k == intervals ? 0.5 : 1) * Math.Pow(Math.Sin(theta), dim - 2);
            numerator += weight * Math.Exp(-2 * t * (1 - Math.Cos(theta)));
            denominator += weight;
        }

        return Math.Log(numerator / denominator);
    }
}
