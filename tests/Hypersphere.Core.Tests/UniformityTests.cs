using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Metrics;

namespace Hypersphere.Core.Tests;

/// <summary>The tiled uniformity kernels (float64 and float32) against a plain pairwise implementation and exact cases.</summary>
public class UniformityTests
{
    private static readonly double[] Widths = [0.5, 1, 2, 3.7];

    // N crosses the 8-row and 16-row strips and the 128-row tile on both sides; d is rarely a multiple of 8.
    public static TheoryData<int, int> Shapes()
    {
        var data = new TheoryData<int, int>();
        foreach (var n in new[] { 2, 3, 7, 8, 16, 17, 127, 128, 129, 300 })
        {
            foreach (var dim in new[] { 1, 3, 5, 17, 128 })
            {
                data.Add(n, dim);
            }
        }

        data.Add(513, 9);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void UniformityMatchesPlainPairwiseImplementation(int n, int dim)
    {
        var values = TestMatrices.UnitRows(n, dim, seed: (n * 1000) + dim);
        var x = EmbeddingMatrix.Create(values, n, dim, normalize: false);
        foreach (var t in Widths)
        {
            var expected = ReferenceMetrics.Uniformity(values, n, dim, t);
            TestMatrices.AssertClose(expected, Uniformity.Compute(x, t), 1e-9, 1e-14, $"N={n} d={dim} t={t}");
        }
    }

    [Theory]
    [InlineData(130, 20)]
    [InlineData(7, 3)]
    public void UniformityOfFloat32InputMatchesPlainImplementationOnTheSameValues(int n, int dim)
    {
        var floats = SpherePoints.Uniform(n, dim, seed: 5);
        var widened = Array.ConvertAll(floats, f => (double)f);
        var x = EmbeddingMatrix.Create(floats, n, dim, normalize: false);
        TestMatrices.AssertClose(ReferenceMetrics.Uniformity(widened, n, dim, 2), Uniformity.Compute(x), 1e-9);
    }

    [Theory]
    [InlineData(50.0)]
    [InlineData(1000.0)]
    [InlineData(20000.0)]
    public void UniformityStaysFiniteAndAccurateForLargeT(double t)
    {
        // exp(−t‖x − y‖²) underflows to 0 for every pair here; only a log-sum-exp keeps the value.
        const int n = 150, dim = 3;
        var values = TestMatrices.UnitRows(n, dim, seed: 11);
        var x = EmbeddingMatrix.Create(values, n, dim, normalize: false);
        var actual = Uniformity.Compute(x, t);
        Assert.True(double.IsFinite(actual), $"t={t} gave {actual}");
        TestMatrices.AssertClose(ReferenceMetrics.Uniformity(values, n, dim, t), actual, 1e-9);
    }

    [Theory]
    [InlineData(KernelPrecision.Double)]
    [InlineData(KernelPrecision.Single)]
    public void UniformityGivesTheSameBitsOnAnyNumberOfCores(KernelPrecision precision)
    {
        // 5000 rows are 40 row blocks: grouped 5 to a work item on one core, 2 on two, 1 on eight.
        var x = TestMatrices.Uniform(5000, 24, seed: 3);
        var serial = Uniformity.Compute(x, 2, maxDegreeOfParallelism: 1, precision);
        foreach (var cores in new[] { 2, 3, 8, -1 })
        {
            Assert.Equal(serial, Uniformity.Compute(x, 2, cores, precision));
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Float32KernelMatchesPlainPairwiseImplementationToFloat32Rounding(int n, int dim)
    {
        var values = Array.ConvertAll(SpherePoints.Uniform(n, dim, seed: (n * 1000) + dim), f => (double)f);
        var x = EmbeddingMatrix.Create(values, n, dim, normalize: false);
        foreach (var t in Widths)
        {
            var expected = ReferenceMetrics.Uniformity(values, n, dim, t);
            TestMatrices.AssertClose(expected, Uniformity.Compute(x, t, precision: KernelPrecision.Single), 0, 1e-6, $"N={n} d={dim} t={t}");
        }
    }

    [Fact]
    public void Float32KernelIsWithinOneMillionthOfFloat64OnRandomUnitVectorsAtD128()
    {
        var x = EmbeddingMatrix.Create(SpherePoints.Uniform(4096, 128, seed: 9), 4096, 128, normalize: false);
        var single = Uniformity.Compute(x, precision: KernelPrecision.Single);
        var exact = Uniformity.Compute(x, precision: KernelPrecision.Double);
        Assert.NotEqual(exact, single); // a different kernel ran
        Assert.InRange(Math.Abs(single - exact), 0, 1e-6);
    }

    [Fact]
    public void Float32ExponentialIsWithinTwoUlpsOfMathExpAndZeroBelowItsRange()
    {
        var worst = 0.0;
        for (var x = -87.0; x <= 0; x += 0.000731)
        {
            var lanes = SingleTiles.Exp(System.Runtime.Intrinsics.Vector512.Create((float)x));
            var expected = Math.Exp((float)x);
            worst = Math.Max(worst, Math.Abs(lanes[3] - expected) / expected);
        }

        Assert.InRange(worst, 0, 2.4e-7);
        Assert.Equal(0f, SingleTiles.Exp(System.Runtime.Intrinsics.Vector512.Create(-87.5f))[0]);
        Assert.Equal(0f, SingleTiles.Exp(System.Runtime.Intrinsics.Vector512.Create(float.NegativeInfinity))[0]);
        Assert.Equal(1f, SingleTiles.Exp(System.Runtime.Intrinsics.Vector512<float>.Zero)[0]);
        Assert.Equal(Math.Exp(-1.0), SingleTiles.Exp(System.Runtime.Intrinsics.Vector256.Create(-1f))[5], 6e-8);
    }

    [Theory]
    [InlineData(2, 4)]
    [InlineData(5, 3)]
    [InlineData(130, 17)]
    public void UniformityOfIdenticalPointsIsZero(int n, int dim)
    {
        var row = TestMatrices.UnitRows(1, dim, seed: 2);
        var values = Enumerable.Repeat(row, n).SelectMany(r => r).ToArray();
        var x = EmbeddingMatrix.Create(values, n, dim, normalize: false);
        Assert.InRange(Uniformity.Compute(x, 2), -1e-12, 1e-12);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2.0)]
    [InlineData(3.7)]
    public void UniformityOfAnAntipodalPairIsMinusFourT(double t)
    {
        // ‖x − (−x)‖² = 4 for the single pair.
        var x = EmbeddingMatrix.Create([0.6, 0.8, -0.6, -0.8], 2, 2, normalize: false);
        TestMatrices.AssertClose(-4 * t, Uniformity.Compute(x, t), 1e-15);
    }

    [Fact]
    public void UniformityOfOrthonormalRowsIsMinusTwoT()
    {
        // Every pair of distinct basis vectors is at squared distance 2.
        const int n = 140;
        var values = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            values[(i * n) + i] = 1;
        }

        var x = EmbeddingMatrix.Create(values, n, n, normalize: false);
        TestMatrices.AssertClose(-2 * 1.5, Uniformity.Compute(x, 1.5), 0, 1e-13);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(17)]
    [InlineData(129)]
    [InlineData(200)]
    public void UniformityOfRegularSimplexEqualsFiniteNBound(int n)
    {
        var x = EmbeddingMatrix.Create(TestMatrices.RegularSimplex(n), n, n, normalize: false);
        foreach (var t in Widths)
        {
            // Hand-derived: every pair of simplex vertices is at squared distance 2N/(N − 1).
            var bound = -2 * t * n / (n - 1);
            TestMatrices.AssertClose(bound, UniformityReference.FiniteNBound(n, t), 0, 1e-14, "bound");
            TestMatrices.AssertClose(bound, Uniformity.Compute(x, t), 0, 1e-12, $"N={n} t={t}");
        }
    }

    [Theory]
    [InlineData(2, 3)]
    [InlineData(3, 2)]
    [InlineData(40, 3)]
    [InlineData(129, 64)]
    [InlineData(300, 2)]
    public void UniformityOfRandomPointsIsNotBelowFiniteNBound(int n, int dim)
    {
        var x = TestMatrices.Uniform(n, dim, seed: n + dim);
        foreach (var t in Widths)
        {
            Assert.True(
                Uniformity.Compute(x, t) >= UniformityReference.FiniteNBound(n, t) - 1e-12,
                $"N={n} d={dim} t={t}: {Uniformity.Compute(x, t)} < bound {UniformityReference.FiniteNBound(n, t)}");
        }
    }

    [Fact]
    public void UniformityIsLowerForSpreadPointsThanForClusteredOnes()
    {
        var spread = TestMatrices.Uniform(200, 8, seed: 1);
        var anchor = TestMatrices.UnitRows(1, 8, seed: 2);
        var clustered = TestMatrices.NoisyCopies(Enumerable.Repeat(anchor, 200).SelectMany(r => r).ToArray(), 8, 0.1, seed: 3);
        var tight = EmbeddingMatrix.Create(clustered, 200, 8, normalize: false);
        Assert.True(Uniformity.Compute(spread) < Uniformity.Compute(tight) - 1);
    }
}
