using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Errors;

namespace Hypersphere.Core.Metrics;

/// <summary>
/// The exact pass split over machines: shard i of k takes a contiguous range of row blocks holding about 1/k of the
/// upper triangle's tiles and keeps each block's log-sum-exp state; merging all k folds those states in block order, the
/// order the unsharded pass folds them in, so the merged uniformity has the unsharded pass's bits.
/// </summary>
public static partial class Uniformity
{
    /// <summary>
    /// Row blocks [first, end) of shard <paramref name="shard"/> of <paramref name="shards"/> for <paramref name="rows"/> rows:
    /// block b owns B − b tiles (its diagonal tile and those right of it), and shard s starts at the first block before
    /// which at least s/k of all tiles lie, so shards hold equal pair counts up to a block's tiles, not equal rows.
    /// </summary>
    public static (int First, int End) ShardBlocks(int rows, int shard, int shards)
    {
        CheckShard(shard, shards);
        var blocks = BlockCount(rows);
        return (Boundary(blocks, shard, shards), Boundary(blocks, shard + 1, shards));
    }

    /// <summary>
    /// Shard <paramref name="shard"/> of <paramref name="shards"/> of the exact pass over <paramref name="x"/>: the
    /// (max, Σ exp(v − max)) state and pair count of each of its row blocks, stamped with what a merge must find equal
    /// (the file's <paramref name="sha256"/>, N, d, t, precision, k).
    /// </summary>
    /// <param name="x">The rows.</param>
    /// <param name="sha256">Hex SHA-256 of the embeddings file's bytes.</param>
    /// <param name="normalized">Whether rows were L2-normalised on reading (shards must agree).</param>
    /// <param name="t">Kernel width.</param>
    /// <param name="shard">This shard, 0-based.</param>
    /// <param name="shards">Shard count k.</param>
    /// <param name="precision">Kernel arithmetic; null for <see cref="DefaultPrecision"/>.</param>
    /// <param name="maxDegreeOfParallelism">Cores; −1 for all.</param>
    /// <param name="progress">Told the fraction of this shard's tiles done.</param>
    /// <param name="cancellationToken">Stops the pass.</param>
    public static UniformityPartial ComputeShard(
        EmbeddingRows x,
        string sha256,
        bool normalized,
        double t,
        int shard,
        int shards,
        KernelPrecision? precision = null,
        int maxDegreeOfParallelism = -1,
        IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(sha256);
        CheckT(t);
        if (t < SmallT)
        {
            throw new HypersphereException(ErrorKind.InvalidInput, $"t = {t} is below {SmallT}, where uniformity is taken from the mean squared distance in O(N·d); run it unsharded");
        }

        var (first, end) = ShardBlocks(x.Rows, shard, shards);
        var used = precision ?? DefaultPrecision(x);
        var sums = BlockSums(x, t, first, end, used, maxDegreeOfParallelism, progress, cancellationToken);
        var states = sums
            .Select((s, k) => new BlockState(
                first + k,
                s is null || double.IsNegativeInfinity(s.Max) ? null : s.Max,
                s?.Sum ?? 0,
                BlockPairs(x.Rows, first + k)))
            .ToList();
        return new UniformityPartial(UniformityPartial.CurrentFormatVersion, sha256, x.Rows, x.Dim, t, used, normalized, shards, shard, states);
    }

    /// <summary>
    /// Merges all shards of one pass (each once, all of the same input, t, precision and k) into the exact uniformity,
    /// folding their block states in block order as the unsharded pass does. Throws <see cref="HypersphereException"/>
    /// naming a missing, repeated, mismatched or inconsistent shard.
    /// </summary>
    public static UniformityMerge Merge(IReadOnlyList<UniformityPartial> partials)
    {
        ArgumentNullException.ThrowIfNull(partials);
        if (partials.Count == 0)
        {
            throw new HypersphereException(ErrorKind.BadRequest, "no partials to merge; expected the k files the shards wrote");
        }

        var head = partials[0];
        CheckShard(head.Shard, head.Shards);
        foreach (var p in partials)
        {
            CheckShard(p.Shard, p.Shards);
            Same(p, head, "shard count", p.Shards, head.Shards);
            Same(p, head, "sha256", p.Sha256, head.Sha256);
            Same(p, head, "n", p.N, head.N);
            Same(p, head, "dim", p.Dim, head.Dim);
            Same(p, head, "t", p.T, head.T);
            Same(p, head, "precision", p.Precision, head.Precision);
            Same(p, head, "normalized", p.Normalized, head.Normalized);
        }

        var byShard = new UniformityPartial?[head.Shards];
        foreach (var p in partials)
        {
            if (byShard[p.Shard] is not null)
            {
                throw new HypersphereException(ErrorKind.BadRequest, $"shard {p.Shard} of {p.Shards} is given twice; expected each shard once");
            }

            byShard[p.Shard] = p;
        }

        var missing = Array.FindIndex(byShard, p => p is null);
        if (missing >= 0)
        {
            throw new HypersphereException(ErrorKind.BadRequest, $"shard {missing} of {head.Shards} is missing; expected all {head.Shards} shards' partials");
        }

        var states = new List<LogSumExp>();
        foreach (var p in byShard)
        {
            var (first, end) = ShardBlocks(p!.N, p.Shard, p.Shards);
            if (p.Blocks.Count != end - first)
            {
                throw Inconsistent(p, $"{p.Blocks.Count} blocks, expected {end - first} (blocks {first} to {end - 1})");
            }

            for (var k = 0; k < p.Blocks.Count; k++)
            {
                var b = p.Blocks[k];
                var ok = b.Block == first + k
                    && b.Pairs == BlockPairs(p.N, b.Block)
                    && double.IsFinite(b.Sum) && b.Sum >= 0
                    && (b.Max is null ? b.Sum == 0 : double.IsFinite(b.Max.Value));
                if (!ok)
                {
                    throw Inconsistent(p, $"block entry {k} is not block {first + k} with {BlockPairs(p.N, first + k)} pairs and a finite state");
                }

                states.Add(new LogSumExp(b.Max ?? double.NegativeInfinity, b.Sum));
            }
        }

        var pairs = (long)head.N * (head.N - 1) / 2;
        var uniformity = MergeInBlockOrder(states).Log() - Math.Log((double)head.N * (head.N - 1) / 2);
        return new UniformityMerge(head.N, head.Dim, head.T, head.Precision, pairs, uniformity, head.Shards, head.Sha256);
    }

    /// <summary>Tiles of the upper triangle in row blocks before <paramref name="block"/>: Σ_{b&lt;block} (B − b).</summary>
    private static long TilesBefore(int blocks, int block) => ((long)block * blocks) - ((long)block * (block - 1) / 2);

    /// <summary>First block of shard s: the least b with TilesBefore(b)·k ≥ s·(all tiles).</summary>
    private static int Boundary(int blocks, int shard, int shards)
    {
        var all = TilesBefore(blocks, blocks);
        var b = 0;
        while (b < blocks && TilesBefore(blocks, b) * shards < shard * all)
        {
            b++;
        }

        return b;
    }

    /// <summary>Pairs i &lt; j whose row i is in <paramref name="block"/>: the block's own pairs and those with every later row.</summary>
    private static long BlockPairs(int rows, int block)
    {
        long first = (long)block * PackedRows.Block;
        var own = Math.Min(PackedRows.Block, rows - first);
        return (own * (own - 1) / 2) + (own * (rows - first - own));
    }

    private static void CheckShard(int shard, int shards)
    {
        if (shards < 1 || shard < 0 || shard >= shards)
        {
            throw new HypersphereException(ErrorKind.InvalidInput, $"shard {shard} of {shards} does not exist; expected i/k with k ≥ 1 and 0 ≤ i < k");
        }
    }

    private static void Same<TValue>(UniformityPartial p, UniformityPartial head, string field, TValue value, TValue expected)
    {
        if (!EqualityComparer<TValue>.Default.Equals(value, expected))
        {
            throw new HypersphereException(
                ErrorKind.InvalidInput,
                $"shard {p.Shard} has {field} {value}, shard {head.Shard} has {expected}; all partials must be of the same input, t, precision and shard count");
        }
    }

    private static HypersphereException Inconsistent(UniformityPartial p, string what) =>
        new(ErrorKind.Corrupt, $"shard {p.Shard} of {p.Shards} is inconsistent: {what}");
}
