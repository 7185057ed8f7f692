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
