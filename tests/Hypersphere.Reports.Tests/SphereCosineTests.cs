namespace Hypersphere.Reports.Tests;

/// <summary>The exact density of x·y for uniform x, y on S^{d−1}, against closed forms, quadrature and sampling.</summary>
public sealed class SphereCosineTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(128)]
    [InlineData(2048)]
    public void DensityIntegratesToOne(int dim)
    {
        // u = cos φ: ∫₋₁¹ f(u) du = ∫₀^π f(cos φ) sin φ dφ, smooth at the ends even for the arcsine density (d = 2).
        const int steps = 200_000;
        var h = Math.PI / steps;
        var sum = 0.0;
        for (var k = 0; k < steps; k++)
        {
            var phi = (k + 0.5) * h;
            sum += SphereCosine.Density(dim, Math.Cos(phi)) * Math.Sin(phi);
        }

        Assert.InRange(sum * h, 1 - 1e-6, 1 + 1e-6);
    }

    [Theory]
    [InlineData(-0.9)]
    [InlineData(-0.3)]
    [InlineData(0)]
    [InlineData(0.5)]
    [InlineData(0.99)]
    public void DensityMatchesClosedForms(double u)
    {
        Assert.Equal(1 / (Math.PI * Math.Sqrt(1 - (u * u))), SphereCosine.Density(2, u), 12);
        Assert.Equal(0.5, SphereCosine.Density(3, u), 12);
        Assert.Equal(2 / Math.PI * Math.Sqrt(1 - (u * u)), SphereCosine.Density(4, u), 12);
        Assert.Equal(0.75 * (1 - (u * u)), SphereCosine.Density(5, u), 12);
        Assert.Equal(0, SphereCosine.Density(5, 1.5));
    }

    [Fact]
    public void DimensionOneHasNoDensity() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SphereCosine.Density(1, 0));

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(128)]
    public void DensityMatchesAMonteCarloHistogramOfRandomSpherePoints(int dim)
    {
        const int pairs = 60_000, bins = 20;
        var random = new Random(dim);
        var counts = new int[bins];
        var low = dim <= 3 ? -1.0 : -4 / Math.Sqrt(dim);
        var high = -low;
        var outside = 0;
        for (var p = 0; p < pairs; p++)
        {
            var x = Data.UnitRows(1, dim, random);
            var y = Data.UnitRows(1, dim, random);
            var u = x.Zip(y, (a, b) => a * b).Sum();
            var k = (int)Math.Floor((u - low) / (high - low) * bins);
            if (k < 0 || k >= bins)
            {
                outside++;
                continue;
            }

            counts[k]++;
        }

        for (var k = 0; k < bins; k++)
        {
            // Expected fraction in the bin: the density integrated over it (midpoint rule after u = sin θ).
            var a = low + ((high - low) * k / bins);
            var b = a + ((high - low) / bins);
            var expected = Integrate(u => SphereCosine.Density(dim, u), a, b);
            var observed = counts[k] / (double)pairs;
            var sigma = Math.Sqrt(expected * (1 - expected) / pairs);
            Assert.True(Math.Abs(observed - expected) <= (5 * sigma) + 1e-4, $"d = {dim}, bin {k} [{a:F3}, {b:F3}): observed {observed:F5}, expected {expected:F5} ± {sigma:F5}");
        }

        Assert.True(outside <= pairs * 0.001, $"{outside} of {pairs} cosines outside ±4/√d");
    }

    private static double Integrate(Func<double, double> f, double a, double b)
    {
        // Substitution u = sin θ handles the integrable singularity at ±1 (d = 2).
        double g(double theta) => f(Math.Sin(theta)) * Math.Cos(theta);
        var ta = Math.Asin(Math.Clamp(a, -1, 1));
        var tb = Math.Asin(Math.Clamp(b, -1, 1));
        const int steps = 2000;
        var h = (tb - ta) / steps;
        var sum = g(ta + (h / 2));
        for (var k = 1; k < steps; k++)
        {
            sum += g(ta + ((k + 0.5) * h));
        }

        return sum * h;
    }
}
