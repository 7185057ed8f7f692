using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Metrics;

namespace Hypersphere.Core.Tests;

/// <summary>RankMe against exact cases and a second implementation (Jacobi eigenvalues of XᵀX).</summary>
public class RankMeTests
{
    [Theory]
    [InlineData(4)]
    [InlineData(17)]
    [InlineData(128)]
    public void RankMeOfOrthonormalRowsIsTheDimension(int dim)
    {
        // Rotated so the rows are not just basis vectors: Q from Gram–Schmidt on Gaussian rows.
        var q = Orthonormal(dim, seed: dim);
        var rankMe = RankMe.Compute(EmbeddingMatrix.Create(q, dim, dim, normalize: false));

        // With pₖ = 1/d + ε the entropy is log d + dε(log d − 1) + O(ε²): ε = 1e-7 moves RankMe by ≤ d²ε(log d).
        var epsilonShift = dim * dim * RankMe.Epsilon * Math.Log(dim);
        TestMatrices.AssertClose(dim, rankMe, 0, epsilonShift + 1e-9);
        Assert.True(Math.Abs(rankMe - dim) < 0.01 * dim);
    }

    [Theory]
    [InlineData(10, 3)]
    [InlineData(64, 64)]
    [InlineData(200, 130)]
    [InlineData(5, 40)]
    public void RankMeOfRankOneDataIsOne(int n, int dim)
    {
        // Rows ±v: one non-zero singular value; the other min(N, d) − 1 contribute −ε log ε each.
        var v = TestMatrices.UnitRows(1, dim, seed: 3);
        var values = new double[n * dim];
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < dim; k++)
            {
                values[(i * dim) + k] = (i % 3 == 0 ? -1 : 1) * v[k];
            }
        }

        var rankMe = RankMe.Compute(EmbeddingMatrix.Create(values, n, dim, normalize: false));
        var epsilonShift = Math.Min(n, dim) * RankMe.Epsilon * (1 - Math.Log(RankMe.Epsilon));
        TestMatrices.AssertClose(1, rankMe, 0, (2 * epsilonShift) + 1e-6);
    }

    [Theory]
    [InlineData(50, 10)]
    [InlineData(300, 17)]
    [InlineData(129, 129)]
    [InlineData(10, 50)]
    [InlineData(7, 130)]
    public void RankMeMatchesJacobiSingularValues(int n, int dim)
    {
        var values = TestMatrices.UnitRows(n, dim, seed: n * dim);
        var expected = ReferenceMetrics.RankMe(values, n, dim, RankMe.Epsilon);
        TestMatrices.AssertClose(expected, RankMe.Compute(EmbeddingMatrix.Create(values, n, dim, normalize: false)), 1e-8);
    }

    [Fact]
    public void RankMeOfDataInAThreeDimensionalSubspaceIsAtMostThree()
    {
        const int n = 100, dim = 32;
        var small = TestMatrices.UnitRows(n, 3, seed: 1);
        var values = new double[n * dim];
        for (var i = 0; i < n; i++)
        {
            small.AsSpan(i * 3, 3).CopyTo(values.AsSpan((i * dim) + 5, 3));
        }

        var rankMe = RankMe.Compute(EmbeddingMatrix.Create(values, n, dim, normalize: false));
        Assert.InRange(rankMe, 2, 3.001);
        TestMatrices.AssertClose(ReferenceMetrics.RankMe(values, n, dim, RankMe.Epsilon), rankMe, 1e-6);
    }

    [Theory]
    [InlineData(50, 10)]
    [InlineData(10, 50)]
    [InlineData(129, 129)]
    public void SpectrumIsTheNormalisedJacobiSingularValuesLargestFirst(int n, int dim)
    {
        var values = TestMatrices.UnitRows(n, dim, seed: 7 * n + dim);
        var gram = new double[dim, dim];
        for (var a = 0; a < dim; a++)
        {
            for (var b = 0; b < dim; b++)
            {
                for (var i = 0; i < n; i++)
                {
                    gram[a, b] += values[(i * dim) + a] * values[(i * dim) + b];
                }
            }
        }

        var sigma = ReferenceMetrics.JacobiEigenvalues(gram).OrderDescending().Take(Math.Min(n, dim)).Select(l => Math.Sqrt(Math.Max(0, l))).ToArray();
        var expected = sigma.Select(s => s / sigma.Sum()).ToArray();
        var spectrum = RankMe.Spectrum(EmbeddingMatrix.Create(values, n, dim, normalize: false));

        Assert.Equal(Math.Min(n, dim), spectrum.Length);
        TestMatrices.AssertClose(1, spectrum.Sum(), 1e-12);
        for (var k = 0; k < spectrum.Length; k++)
        {
            TestMatrices.AssertClose(expected[k], spectrum[k], 1e-6, 1e-9, $"p[{k}]");
            if (k > 0)
            {
                Assert.True(spectrum[k] <= spectrum[k - 1], $"p[{k}] = {spectrum[k]} > p[{k - 1}] = {spectrum[k - 1]}");
            }
        }
    }

    [Theory]
    [InlineData(300, 17)]
    [InlineData(7, 130)]
    public void TheSpectrumsEntropyIsRankMe(int n, int dim)
    {
        var x = EmbeddingMatrix.Create(TestMatrices.UnitRows(n, dim, seed: n + dim), n, dim, normalize: false);
        var entropy = 0.0;
        foreach (var p in RankMe.Spectrum(x))
        {
            // The paper's definition, written out: H = −Σ (pₖ + ε) log(pₖ + ε).
            entropy -= (p + RankMe.Epsilon) * Math.Log(p + RankMe.Epsilon);
        }

        TestMatrices.AssertClose(Math.Exp(entropy), RankMe.Compute(x), 1e-12);
        TestMatrices.AssertClose(RankMe.Compute(x), RankMe.FromSpectrum(RankMe.Spectrum(x)), 0, 0);
    }

    private static double[] Orthonormal(int dim, int seed)
    {
        var q = TestMatrices.UnitRows(dim, dim, seed);
        for (var i = 0; i < dim; i++)
        {
            var row = q.AsSpan(i * dim, dim);
            for (var pass = 0; pass < 2; pass++)
            {
                for (var j = 0; j < i; j++)
                {
                    var other = q.AsSpan(j * dim, dim);
                    var dot = TestMatrices.Dot(row, other);
                    for (var k = 0; k < dim; k++)
                    {
                        row[k] -= dot * other[k];
                    }
                }
            }

            var norm = Math.Sqrt(TestMatrices.Dot(row, row));
            for (var k = 0; k < dim; k++)
            {
                row[k] /= norm;
            }
        }

        return q;
    }
}
