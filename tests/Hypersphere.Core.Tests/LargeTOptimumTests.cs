using Hypersphere.Core.Metrics;

namespace Hypersphere.Core.Tests;

/// <summary>
/// The uniform optimum for t far beyond where its power series can be summed, against closed forms
/// evaluated here (d = 1, 2, 3), against each other expansion where two are valid, and across the
/// point where the implementation changes method.
/// </summary>
public class LargeTOptimumTests
{
    private static readonly double[] ModerateT = [50, 1e3, 1e4, 99_999, 1e5, 100_001, 1e6, 1e7];
    private static readonly double[] HugeT = [1e8, 1e12, 1e50, 1e150, 1e300];

    [Fact]
    public void CircleMatchesQuadratureOfScaledBesselI0()
    {
        foreach (var t in ModerateT)
        {
            TestMatrices.AssertClose(Math.Log(ScaledBesselI0(2 * t)), UniformityReference.UniformOptimum(2, t), 1e-10, 0, $"t={t}");
        }
    }

    [Fact]
    public void CircleAtHugeTMatchesTheTabulatedExpansionOfI0()
    {
        // e^{−x} I₀(x) = (2πx)^{−1/2} (1 + 1/(8x) + 9/(128x²) + …) (Abramowitz & Stegun 9.7.1), x = 2t.
        foreach (var t in HugeT)
        {
            var x = 2 * t;
            var expected = (-0.5 * Math.Log(2 * Math.PI * x)) + Math.Log(1 + (1 / (8 * x)) + (9 / (128 * x * x)));
            TestMatrices.AssertClose(expected, UniformityReference.UniformOptimum(2, t), 1e-12, 0, $"t={t}");
        }
    }

    [Fact]
    public void MillionOnTheCircleIsAboutMinusHalfLogFourPiT()
    {
        // The series cut at 100,000 terms gave −1,339,496 here.
        TestMatrices.AssertClose(-0.5 * Math.Log(4 * Math.PI * 1e6), UniformityReference.UniformOptimum(2, 1e6), 1e-6);
    }

    [Fact]
    public void TwoSphereMatchesItsClosedFormUpToHugeT()
    {
        foreach (var t in ModerateT.Concat(HugeT))
        {
            var expected = Math.Log(1 - Math.Exp(-4 * t)) - Math.Log(4 * t);
            TestMatrices.AssertClose(expected, UniformityReference.UniformOptimum(3, t), 1e-12, 0, $"t={t}");
        }
    }

    [Fact]
    public void LineTendsToMinusLogTwo()
    {
        foreach (var t in ModerateT.Concat(HugeT))
        {
            TestMatrices.AssertClose(Math.Log((1 + Math.Exp(-4 * t)) / 2), UniformityReference.UniformOptimum(1, t), 1e-12, 0, $"t={t}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(128)]
    [InlineData(1000)]
    [InlineData(4096)]
    [InlineData(100_000)]
    public void NoJumpWhereTheMethodChanges(int dim)
    {
        var before = UniformityReference.UniformOptimum(dim, OptimumSeries.SeriesLimit);
        var after = UniformityReference.UniformOptimum(dim, Math.BitIncrement(OptimumSeries.SeriesLimit));
        TestMatrices.AssertClose(before, after, 1e-9, 0, $"d={dim}");
    }

    [Theory]
    [InlineData("hankel", 1, 5e4)]
    [InlineData("hankel", 2, 5e4)]
    [InlineData("hankel", 16, 5e4)]
    [InlineData("hankel", 33, 9e4)]
    [InlineData("debye", 128, 5e4)]
    [InlineData("debye", 300, 10)]
    [InlineData("debye", 300, 2000)]
    [InlineData("debye", 1000, 1e3)]
    [InlineData("debye", 4096, 9e4)]
    public void ExpansionsAgreeWithTheSeriesWhereBothConverge(string expansion, int dim, double t)
    {
        var b = dim / 2.0;
        var series = OptimumSeries.LogSeries(b, t, -2 * t);
        var scaledLogBessel = expansion == "hankel"
            ? OptimumSeries.HankelScaledLogBessel(b - 1, 2 * t)
            : OptimumSeries.DebyeScaledLogBessel(b - 1, 2 * t);
        TestMatrices.AssertClose(series, MathNet.Numerics.SpecialFunctions.GammaLn(b) + ((1 - b) * Math.Log(t)) + scaledLogBessel, 1e-10);
    }

    [Fact]
    public void OptimumIsFiniteAndDecreasesInDimensionAtEveryScaleOfT()
    {
        foreach (var t in new[] { 1e-300, 1e-10, 2 }.Concat(ModerateT).Concat(HugeT))
        {
            var previous = double.PositiveInfinity;
            foreach (var dim in new[] { 1, 2, 3, 16, 128, 4096, 1 << 20 })
            {
                var value = UniformityReference.UniformOptimum(dim, t);
                Assert.True(double.IsFinite(value) && value <= 0, $"d={dim} t={t}: {value}");
                Assert.True(value <= previous, $"d={dim} t={t}: {value} is above {previous} for a smaller d");
                Assert.True(value >= -2 * t * (1 + 1e-12), $"d={dim} t={t}: {value} is below −2t");
                previous = value;
            }
        }
    }

    /// <summary>e^{−x} I₀(x) as the mean of e^{x(cos θ − 1)} over equally spaced θ; the aliasing error of this periodic rule is about e^{−n²/2x}.</summary>
    private static double ScaledBesselI0(double x)
    {
        var points = (int)Math.Max(4000, 20 * Math.Sqrt(x));
        var sum = 0.0;
        for (var k = 0; k < points; k++)
        {
            sum += Math.Exp(x * (Math.Cos(2 * Math.PI * k / points) - 1));
        }

        return sum / points;
    }
}
