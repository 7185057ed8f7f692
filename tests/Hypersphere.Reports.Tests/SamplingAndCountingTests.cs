namespace Hypersphere.Reports.Tests;

/// <summary>The cosine figure's pair sample and the histograms, against enumeration and brute-force counts.</summary>
public sealed class SamplingAndCountingTests
{
    [Fact]
    public void FewPairsAreAllPairsInOrder()
    {
        var pairs = PairSample.Draw(7, 21, seed: 3);
        var expected = new List<(int, int)>();
        for (var i = 0; i < 7; i++)
        {
            for (var j = i + 1; j < 7; j++)
            {
                expected.Add((i, j));
            }
        }

        Assert.Equal(expected, pairs);
    }

    [Theory]
    [InlineData(50, 100, 0)]
    [InlineData(1000, 5000, 1)]
    [InlineData(100_000, 20_000, 2)]
    public void ASampleHasTheRequestedNumberOfDistinctPairsOfDistinctRows(int n, int max, int seed)
    {
        var pairs = PairSample.Draw(n, max, seed);
        Assert.Equal(max, pairs.Length);
        Assert.All(pairs, p => Assert.True(p.I >= 0 && p.I < p.J && p.J < n, $"({p.I}, {p.J}) is not a pair i < j of {n} rows"));
        Assert.Equal(max, pairs.Distinct().Count());
    }

    [Fact]
    public void TheSampleIsSeeded()
    {
        Assert.Equal(PairSample.Draw(2000, 3000, 5), PairSample.Draw(2000, 3000, 5));
        Assert.NotEqual(PairSample.Draw(2000, 3000, 5), PairSample.Draw(2000, 3000, 6));
    }

    [Fact]
    public void EveryPairIsEquallyLikely()
    {
        // 30 rows: 435 pairs; 3000 samples of 100 give each pair 3000·100/435 ≈ 690 expected draws.
        const int n = 30, size = 100, draws = 3000;
        var counts = new Dictionary<(int, int), int>();
        for (var seed = 0; seed < draws; seed++)
        {
            foreach (var pair in PairSample.Draw(n, size, seed))
            {
                counts[pair] = counts.GetValueOrDefault(pair) + 1;
            }
        }

        const int total = n * (n - 1) / 2;
        Assert.Equal(total, counts.Count);
        var expected = (double)draws * size / total;
        var chiSquare = counts.Values.Sum(c => (c - expected) * (c - expected) / expected);

        // 434 degrees of freedom: mean 434, sd √868 ≈ 29.5; without replacement the variance is a little lower still.
        Assert.InRange(chiSquare, 434 - (6 * 29.5), 434 + (6 * 29.5));

        // The rows, too: row r is in (n − 1) of the 435 pairs.
        var rowCounts = new double[n];
        foreach (var ((i, j), c) in counts)
        {
            rowCounts[i] += c;
            rowCounts[j] += c;
        }

        var perRow = 2.0 * draws * size / n;
        Assert.All(rowCounts, c => Assert.InRange(c, perRow * 0.95, perRow * 1.05));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(61)]
    [InlineData(4000)]
    public void UnrankingInvertsTheEnumerationOrder(int n)
    {
        long index = 0;
        var step = Math.Max(1, n / 60);
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++, index++)
            {
                if (i % step == 0 || j == n - 1)
                {
                    Assert.Equal((i, j), PairSample.Unrank(index, n));
                }
            }
        }
    }

    [Fact]
    public void UnrankingWorksAtTheEndsOfAHugeRange()
    {
        const int n = 1_000_000;
        var total = (long)n * (n - 1) / 2;
        Assert.Equal((0, 1), PairSample.Unrank(0, n));
        Assert.Equal((0, n - 1), PairSample.Unrank(n - 2, n));
        Assert.Equal((1, 2), PairSample.Unrank(n - 1, n));
        Assert.Equal((n - 2, n - 1), PairSample.Unrank(total - 1, n));
        Assert.Equal((n - 3, n - 2), PairSample.Unrank(total - 3, n));
    }

    [Fact]
    public void HistogramCountsMatchABruteForceCount()
    {
        var random = new Random(4);
        var values = Enumerable.Range(0, 5000).Select(_ => (random.NextDouble() * 2.4) - 1.2).ToList();
        values.AddRange([-1, 1, 0, 0.5, -0.999999, double.NaN, 1.0000001]);
        const double low = -1, high = 1;
        const int bins = 16;
        var histogram = Histogram.Of(values.ToArray(), low, high, bins);

        var expected = new long[bins];
        long outside = 0;
        foreach (var v in values)
        {
            var placed = false;
            for (var k = 0; k < bins; k++)
            {
                var a = low + ((high - low) * k / bins);
                var b = low + ((high - low) * (k + 1) / bins);
                if (v >= a && (v < b || (k == bins - 1 && v <= b)))
                {
                    expected[k]++;
                    placed = true;
                    break;
                }
            }

            if (!placed)
            {
                outside++;
            }
        }

        Assert.Equal(expected, histogram.Counts);
        Assert.Equal(outside, histogram.Outside);
        Assert.Equal(values.Count, histogram.Total);

        // Density × width summed is the fraction inside the range.
        var mass = Enumerable.Range(0, bins).Sum(k => histogram.Density(k) * histogram.Width);
        Assert.Equal((values.Count - outside) / (double)values.Count, mass, 12);
    }

    [Fact]
    public void PositiveDistancesAndCosinesAreTheBruteForceOnes()
    {
        var random = new Random(8);
        const int n = 40, dim = 5;
        var xv = Data.UnitRows(n, dim, random);
        var yv = Data.Noisy(xv, dim, 0.3, random);
        var distances = ReportFigures.PositivePairDistances(Data.Matrix(xv, dim), Data.Matrix(yv, dim));
        for (var i = 0; i < n; i++)
        {
            var d2 = Enumerable.Range(0, dim).Sum(k => Math.Pow(xv[(i * dim) + k] - yv[(i * dim) + k], 2));
            Assert.Equal(Math.Sqrt(d2), distances[i], 12);
        }

        var pairs = PairSample.Draw(n, 100, 1);
        var cosines = ReportFigures.PairCosines(Data.Matrix(xv, dim), pairs);
        for (var k = 0; k < pairs.Length; k++)
        {
            var (i, j) = pairs[k];
            Assert.Equal(Enumerable.Range(0, dim).Sum(c => xv[(i * dim) + c] * xv[(j * dim) + c]), cosines[k], 12);
        }
    }

    [Fact]
    public void TheAngleDensityIntegratesToOneAndPeaksAtTheCluster()
    {
        var random = new Random(2);
        var angles = Enumerable.Range(0, 500).Select(_ => 1.0 + (0.1 * Data.Gaussian(random))).ToArray();
        var grid = Enumerable.Range(0, 720).Select(k => -Math.PI + (2 * Math.PI * k / 720)).ToArray();
        var density = ReportFigures.VonMisesDensity(angles, grid);
        Assert.Equal(1, density.Sum() * 2 * Math.PI / 720, 9);
        var peak = grid[Array.IndexOf(density, density.Max())];
        Assert.InRange(peak, 0.95, 1.05);

        // A wrapped cluster at ±π is one bump, not two halves that vanish at the seam.
        var wrapped = angles.Select(a => Math.Atan2(Math.Sin(a + Math.PI - 1), Math.Cos(a + Math.PI - 1))).ToArray();
        var around = ReportFigures.VonMisesDensity(wrapped, grid);
        Assert.True(around[0] > 0.5 * around.Max(), $"density at −π is {around[0]}, peak {around.Max()}");
    }
}
