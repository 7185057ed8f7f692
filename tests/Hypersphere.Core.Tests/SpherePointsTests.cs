using Hypersphere.Core.Embeddings;

namespace Hypersphere.Core.Tests;

/// <summary>Seeded uniform points: unit rows, reproducible, and with the moments of the uniform distribution.</summary>
public class SpherePointsTests
{
    [Fact]
    public void RowsAreUnitNormAndReproducibleForASeed()
    {
        var a = SpherePoints.Uniform(50, 7, seed: 3);
        Assert.Equal(a, SpherePoints.Uniform(50, 7, seed: 3));
        Assert.NotEqual(a, SpherePoints.Uniform(50, 7, seed: 4));
        for (var i = 0; i < 50; i++)
        {
            var norm = Math.Sqrt(a.Skip(i * 7).Take(7).Sum(v => (double)v * v));
            Assert.InRange(norm, 1 - 1e-6, 1 + 1e-6);
        }
    }

    [Fact]
    public void CoordinatesHaveMeanZeroAndVarianceOneOverD()
    {
        // For uniform points on S^{d−1}: E xₖ = 0, E xₖ² = 1/d, E xₖxₗ = 0. Standard errors at
        // N·d = 80 000 samples are ≈ 0.004 for the mean and ≈ 0.003 for d·E xₖ².
        const int n = 10000, d = 8;
        var x = SpherePoints.Uniform(n, d, seed: 9);
        for (var k = 0; k < d; k++)
        {
            var column = Enumerable.Range(0, n).Select(i => (double)x[(i * d) + k]).ToArray();
            Assert.InRange(column.Average(), -0.02, 0.02);
            Assert.InRange(column.Average(v => v * v) * d, 0.95, 1.05);
            var next = Enumerable.Range(0, n).Select(i => (double)x[(i * d) + ((k + 1) % d)]).ToArray();
            Assert.InRange(column.Zip(next, (p, q) => p * q).Average() * d, -0.05, 0.05);
        }
    }

    [Fact]
    public void GaussianSamplesHaveUnitVariance()
    {
        var random = new Random(1);
        var samples = Enumerable.Range(0, 40000).Select(_ => SpherePoints.Gaussian(random)).ToArray();
        Assert.InRange(samples.Average(), -0.02, 0.02);
        Assert.InRange(samples.Average(v => v * v), 0.97, 1.03);
        Assert.InRange(samples.Average(v => v * v * v * v), 2.85, 3.15);
    }
}
