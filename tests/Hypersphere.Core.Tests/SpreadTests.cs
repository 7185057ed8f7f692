using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Metrics;

namespace Hypersphere.Core.Tests;

/// <summary>Mean cosine and std·√d against direct O(N²) and two-pass computations, and exact cases.</summary>
public class SpreadTests
{
    [Theory]
    [InlineData(2, 3)]
    [InlineData(7, 1)]
    [InlineData(129, 17)]
    [InlineData(300, 128)]
    public void MeanCosineMatchesDirectPairwiseMean(int n, int dim)
    {
        var values = TestMatrices.UnitRows(n, dim, seed: n + (7 * dim));
        var x = EmbeddingMatrix.Create(values, n, dim, normalize: false);
        TestMatrices.AssertClose(ReferenceMetrics.MeanCosine(values, n, dim), Spread.MeanCosine(x), 1e-9, 1e-12);
    }

    [Fact]
    public void MeanCosineOfClusteredPointsMatchesDirectPairwiseMean()
    {
        // Large mean cosine, where the closed form's cancellation would show if it were wrong.
        const int n = 150, dim = 9;
        var anchor = Enumerable.Repeat(TestMatrices.UnitRows(1, dim, seed: 1), n).SelectMany(r => r).ToArray();
        var values = TestMatrices.NoisyCopies(anchor, dim, 0.05, seed: 2);
        var x = EmbeddingMatrix.Create(values, n, dim, normalize: false);
        TestMatrices.AssertClose(ReferenceMetrics.MeanCosine(values, n, dim), Spread.MeanCosine(x), 1e-9);
    }

    [Theory]
    [InlineData(2, 3)]
    [InlineData(7, 1)]
    [InlineData(129, 17)]
    [InlineData(300, 128)]
    public void StdTimesSqrtDimMatchesTwoPassComputation(int n, int dim)
    {
        var values = TestMatrices.UnitRows(n, dim, seed: n + (3 * dim));
        var x = EmbeddingMatrix.Create(values, n, dim, normalize: false);
        TestMatrices.AssertClose(ReferenceMetrics.StdTimesSqrtDim(values, n, dim), Spread.StdTimesSqrtDim(x), 1e-9, 1e-12);
    }

    [Fact]
    public void MeanCosineOfOrthogonalAntipodalAndEqualRowsIsExact()
    {
        Assert.Equal(0.0, Spread.MeanCosine(EmbeddingMatrix.Create([1.0, 0, 0, 1], 2, 2, normalize: false)), 15);
        Assert.Equal(-1.0, Spread.MeanCosine(EmbeddingMatrix.Create([0.6, 0.8, -0.6, -0.8], 2, 2, normalize: false)), 15);
        Assert.Equal(1.0, Spread.MeanCosine(EmbeddingMatrix.Create([0.6, 0.8, 0.6, 0.8, 0.6, 0.8], 3, 2, normalize: false)), 14);
    }

    [Fact]
    public void MeanCosineOfRegularSimplexIsMinusOneOverNMinusOne()
    {
        const int n = 20;
        var x = EmbeddingMatrix.Create(TestMatrices.RegularSimplex(n), n, n, normalize: false);
        TestMatrices.AssertClose(-1.0 / (n - 1), Spread.MeanCosine(x), 1e-12);
    }

    [Fact]
    public void StdTimesSqrtDimOfIdenticalRowsIsZeroAndOfTheStandardBasisIsKnown()
    {
        Assert.Equal(0.0, Spread.StdTimesSqrtDim(EmbeddingMatrix.Create([0.6, 0.8, 0.6, 0.8, 0.6, 0.8], 3, 2, normalize: false)), 15);

        // Identity rows of size d: each column has one 1 and d − 1 zeros, sample std √(1/d).
        const int d = 16;
        var identity = new double[d * d];
        for (var i = 0; i < d; i++)
        {
            identity[(i * d) + i] = 1;
        }

        TestMatrices.AssertClose(Math.Sqrt(1.0 / d) * Math.Sqrt(d), Spread.StdTimesSqrtDim(EmbeddingMatrix.Create(identity, d, d, normalize: false)), 1e-14);
    }

    [Fact]
    public void StdTimesSqrtDimOfUniformPointsIsNearOne()
    {
        // Each coordinate of a uniform point on S^{d−1} has variance 1/d.
        var x = TestMatrices.Uniform(4000, 64, seed: 12);
        TestMatrices.AssertClose(1, Spread.StdTimesSqrtDim(x), 0, 0.03);
        TestMatrices.AssertClose(0, Spread.MeanCosine(x), 0, 0.003);
    }
}
