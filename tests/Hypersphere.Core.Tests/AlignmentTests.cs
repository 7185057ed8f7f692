using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Metrics;

namespace Hypersphere.Core.Tests;

/// <summary>Alignment E‖xᵢ − yᵢ‖^α against a plain implementation and hand-computable pairs.</summary>
public class AlignmentTests
{
    public static TheoryData<int, int, double> Cases()
    {
        var data = new TheoryData<int, int, double>();
        foreach (var (n, dim) in new[] { (2, 1), (3, 3), (7, 5), (129, 17), (300, 128) })
        {
            foreach (var alpha in new[] { 0.5, 1, 2, 3.7 })
            {
                data.Add(n, dim, alpha);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AlignmentMatchesPlainImplementation(int n, int dim, double alpha)
    {
        var x = TestMatrices.UnitRows(n, dim, seed: n + dim);
        var y = TestMatrices.NoisyCopies(x, dim, 0.4, seed: n * dim);
        var actual = Alignment.Compute(
            EmbeddingMatrix.Create(x, n, dim, normalize: false),
            EmbeddingMatrix.Create(y, n, dim, normalize: false),
            alpha);
        TestMatrices.AssertClose(ReferenceMetrics.Alignment(x, y, n, dim, alpha), actual, 1e-9);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2.0)]
    [InlineData(3.7)]
    public void AlignmentOfIdenticalPairsIsZero(double alpha)
    {
        var x = TestMatrices.Uniform(20, 6, seed: 4);
        Assert.Equal(0.0, Alignment.Compute(x, x, alpha));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(2.0)]
    [InlineData(3.7)]
    public void AlignmentOfAntipodalPairsIsTwoToTheAlpha(double alpha)
    {
        const int n = 9, dim = 4;
        var x = TestMatrices.UnitRows(n, dim, seed: 6);
        var y = Array.ConvertAll(x, v => -v);
        var actual = Alignment.Compute(
            EmbeddingMatrix.Create(x, n, dim, normalize: false),
            EmbeddingMatrix.Create(y, n, dim, normalize: false),
            alpha);
        TestMatrices.AssertClose(Math.Pow(2, alpha), actual, 1e-14);
    }

    [Fact]
    public void AlignmentWithAlphaTwoIsTwoMinusTwiceTheMeanPairCosine()
    {
        const int n = 50, dim = 10;
        var x = TestMatrices.UnitRows(n, dim, seed: 8);
        var y = TestMatrices.NoisyCopies(x, dim, 0.5, seed: 9);
        var meanCos = Enumerable.Range(0, n).Average(i => TestMatrices.Dot(x.AsSpan(i * dim, dim), y.AsSpan(i * dim, dim)));
        var actual = Alignment.Compute(
            EmbeddingMatrix.Create(x, n, dim, normalize: false),
            EmbeddingMatrix.Create(y, n, dim, normalize: false));
        TestMatrices.AssertClose(2 - (2 * meanCos), actual, 1e-12);
    }

    [Fact]
    public void AlignmentOfOrthogonalPairsWithAlphaOneIsSquareRootOfTwo()
    {
        var x = EmbeddingMatrix.Create([1.0, 0, 0, 1], 2, 2, normalize: false);
        var y = EmbeddingMatrix.Create([0.0, 1, -1, 0], 2, 2, normalize: false);
        TestMatrices.AssertClose(Math.Sqrt(2), Alignment.Compute(x, y, 1), 1e-15);
    }

    [Fact]
    public void AlignmentKeepsPrecisionForNearlyIdenticalPairs()
    {
        // A 1e-9 rotation: 2 − 2cos would lose every digit; the difference keeps them.
        const double angle = 1e-9;
        var x = EmbeddingMatrix.Create([1.0, 0, 1, 0], 2, 2, normalize: false);
        var y = EmbeddingMatrix.Create([Math.Cos(angle), Math.Sin(angle), Math.Cos(angle), Math.Sin(angle)], 2, 2, normalize: false);
        TestMatrices.AssertClose(angle * angle, Alignment.Compute(x, y, 2), 1e-6);
    }
}
