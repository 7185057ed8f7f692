using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Errors;
using Hypersphere.Core.Metrics;

namespace Hypersphere.Core.Tests;

/// <summary>
/// The sharded exact pass: shards cover every row block once, hold about equal pair counts, and their merge is the
/// unsharded pass's value (the reference) to the bit.
/// </summary>
public sealed class UniformityShardTests
{
    [Theory]
    [InlineData(1000, 1)]
    [InlineData(1000, 3)]
    [InlineData(3001, 4)]
    [InlineData(300, 7)] // more shards than row blocks: some are empty
    public void MergedShardsEqualTheUnshardedPassInBothPrecisions(int n, int k)
    {
        var x = EmbeddingMatrix.Create(SpherePoints.Uniform(n, 16, n + k), n, 16, normalize: false);
        foreach (var precision in new[] { KernelPrecision.Single, KernelPrecision.Double })
        {
            var reference = Uniformity.Compute(x, 2, precision: precision);
            var partials = Enumerable.Range(0, k).Select(i => Uniformity.ComputeShard(x, "ab", normalized: false, 2, i, k, precision, maxDegreeOfParallelism: 1 + (i % 2))).ToList();
            partials.Reverse(); // given in any order
            var merged = Uniformity.Merge(partials);
            Assert.Equal(reference, merged.Uniformity);
            Assert.Equal((long)n * (n - 1) / 2, merged.Pairs);
        }
    }

    [Theory]
    [InlineData(10_000, 4)]
    [InlineData(100_000, 16)]
    public void ShardsCoverEveryBlockOnceWithPairCountsWithinOneBlockOfAnEqualShare(int n, int k)
    {
        // Pairs whose first row is in rows [a, b): Σ_{i=a}^{b−1} (n − 1 − i), the closed form the shards are balanced on.
        static long PairsOfRows(long n, long a, long b) => ((b - a) * (n - 1)) - (((b - 1) * b / 2) - ((a - 1) * a / 2));
        var end = 0;
        for (var i = 0; i < k; i++)
        {
            var (first, last) = Uniformity.ShardBlocks(n, i, k);
            Assert.Equal(end, first);
            end = last;
            var pairs = PairsOfRows(n, first * 128L, Math.Min(n, last * 128L));
            var share = (long)n * (n - 1) / 2 / k;
            Assert.InRange(Math.Abs(pairs - share), 0, 2L * 128 * n); // a block's pairs are at most 128·n
        }

        Assert.Equal((n + 127) / 128, end);
    }

    [Fact]
    public void MergeNamesTheMissingAndTheRepeatedShardAndAMismatch()
    {
        var x = EmbeddingMatrix.Create(SpherePoints.Uniform(600, 8, 3), 600, 8, normalize: false);
        var p = Enumerable.Range(0, 4).Select(i => Uniformity.ComputeShard(x, "ab", false, 2, i, 4)).ToList();
        Assert.Contains("shard 2 of 4 is missing", Assert.Throws<HypersphereException>(() => Uniformity.Merge([p[0], p[1], p[3]])).Message, StringComparison.Ordinal);
        Assert.Contains("shard 1 of 4 is given twice", Assert.Throws<HypersphereException>(() => Uniformity.Merge([.. p, p[1]])).Message, StringComparison.Ordinal);
        Assert.Contains("sha256", Assert.Throws<HypersphereException>(() => Uniformity.Merge([p[0], p[1], p[2], p[3] with { Sha256 = "cd" }])).Message, StringComparison.Ordinal);
        var tampered = p[1] with { Blocks = [.. p[1].Blocks.Skip(1)] };
        Assert.Equal(ErrorKind.Corrupt, Assert.Throws<HypersphereException>(() => Uniformity.Merge([p[0], tampered, p[2], p[3]])).Kind);
    }

    [Fact]
    public void AShardsProgressRisesThroughFractionsOfItsOwnTilesToOne()
    {
        var x = EmbeddingMatrix.Create(SpherePoints.Uniform(3000, 8, 7), 3000, 8, normalize: false);
        var fractions = new Fractions();
        Uniformity.ComputeShard(x, "ab", false, 2, 0, 2, maxDegreeOfParallelism: 1, progress: fractions);

        // 24 row blocks, 300 tiles: shard 0 of 2 ends at the first block boundary with at least 150 tiles before it,
        // after block 7 (24 + 23 + … + 17 = 164; up to block 6 only 147). One item per block on one core.
        var expected = new List<double>();
        var done = 0;
        for (var b = 0; b < 8; b++)
        {
            done += 24 - b;
            expected.Add(done / 164.0);
        }

        Assert.Equal(expected, fractions.Values);
    }

    [Fact]
    public void APartialRoundTripsThroughItsJsonToTheBit()
    {
        var x = EmbeddingMatrix.Create(SpherePoints.Uniform(700, 8, 5), 700, 8, normalize: false);
        var p = Uniformity.ComputeShard(x, "ab", false, 2, 1, 2);
        var back = UniformityPartial.Parse(p.ToJson(), "p.json");
        Assert.Equal(p.Blocks, back.Blocks);
        Assert.Equal(p with { Blocks = [] }, back with { Blocks = [] });
    }

    /// <summary>Records reports as they are made (<see cref="Progress{T}"/> would post them later).</summary>
    private sealed class Fractions : IProgress<double>
    {
        public List<double> Values { get; } = [];

        public void Report(double value) => Values.Add(value);
    }
}
