using System.Collections.Concurrent;
using System.Numerics;
using System.Numerics.Tensors;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Errors;

namespace Hypersphere.Core.Metrics;

/// <summary>
/// Uniformity, L_uniform(f; t) = log E exp(−t‖f(x) − f(y)‖²), estimated as in the paper's
/// official code: the log of the mean over pairs i &lt; j (self-pairs excluded).
/// </summary>
public static partial class Uniformity
{
    /// <summary>The paper's default kernel width.</summary>
    public const double DefaultT = 2;

    /// <summary>
    /// Below this t, log mean exp(−t‖xᵢ − xⱼ‖²) is −t·mean ‖xᵢ − xⱼ‖² to a relative 2t·4 ≤ 1e-8, while
    /// the log-sum-exp would return log(1 + O(t)) with an absolute rounding error of 1e-16 ≫ t.
    /// </summary>
    internal const double SmallT = 1.25e-9;

    /// <summary>
    /// Uniformity of the rows of <paramref name="x"/>. O(N²d) work on all cores, tiled so memory stays O(tile·d) beyond
    /// the rows themselves (a memory-mapped file is read a block of rows at a time), and the same bits whatever the core
    /// count or schedule; squared distances are ‖xᵢ‖² + ‖xⱼ‖² − 2xᵢ·xⱼ clamped at 0, summed in float64 with a running
    /// log-sum-exp so no t underflows. <paramref name="precision"/> chooses the dot products' arithmetic (default:
    /// <see cref="DefaultPrecision"/>). For t below <see cref="SmallT"/>, the first cumulant −t·mean ‖xᵢ − xⱼ‖² in O(N·d)
    /// instead, which keeps its relative precision down to the smallest t.
    /// </summary>
    /// <param name="x">The rows.</param>
    /// <param name="t">Kernel width.</param>
    /// <param name="maxDegreeOfParallelism">Cores; −1 for all.</param>
    /// <param name="precision">Kernel arithmetic; null for <see cref="DefaultPrecision"/>.</param>
    /// <param name="progress">Told the fraction of tiles done as the pass goes.</param>
    /// <param name="cancellationToken">Stops the pass (<see cref="OperationCanceledException"/>).</param>
    public static double Compute(
        EmbeddingRows x,
        double t = DefaultT,
        int maxDegreeOfParallelism = -1,
        KernelPrecision? precision = null,
        IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckT(t);
        if (t < SmallT)
        {
            return -t * MeanSquaredDistance(x);
        }

        var total = MergeInBlockOrder(BlockSums(x, t, 0, BlockCount(x.Rows), precision ?? DefaultPrecision(x), maxDegreeOfParallelism, progress, cancellationToken));
        var pairs = (double)x.Rows * (x.Rows - 1) / 2;
        return total.Log() - Math.Log(pairs);
    }

    /// <summary>Row blocks of the tiled pass: ⌈N / 128⌉.</summary>
    private static int BlockCount(int rows) => (rows + PackedRows.Block - 1) / PackedRows.Block;

    /// <summary>Per-row-block sums of row blocks [<paramref name="firstBlock"/>, <paramref name="endBlock"/>), in the arithmetic <paramref name="precision"/> names.</summary>
    private static LogSumExp[] BlockSums(EmbeddingRows x, double t, int firstBlock, int endBlock, KernelPrecision precision, int maxDegreeOfParallelism, IProgress<double>? progress, CancellationToken cancellationToken) =>
        endBlock <= firstBlock ? []
        : precision == KernelPrecision.Single
            ? TiledPass<float, SingleTiles>(x, t, firstBlock, endBlock, maxDegreeOfParallelism, progress, cancellationToken)
            : TiledPass<double, DoubleTiles>(x, t, firstBlock, endBlock, maxDegreeOfParallelism, progress, cancellationToken);

    /// <summary>
    /// Folds per-block sums in block order: the one merge order, so the unsharded pass and a merge of shards round alike.
    /// </summary>
    private static LogSumExp MergeInBlockOrder(IEnumerable<LogSumExp?> sums)
    {
        var total = new LogSumExp();
        foreach (var sum in sums)
        {
            if (sum is not null)
            {
                total.Merge(sum);
            }
        }

        return total;
    }

    /// <summary>The kernel precision used when none is asked for: single for float32 storage, double otherwise.</summary>
    public static KernelPrecision DefaultPrecision(EmbeddingRows x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.StoredAsSingle ? KernelPrecision.Single : KernelPrecision.Double;
    }

    /// <summary>
    /// Σ_{j≥i} exp(vᵢⱼ) for each row block i in [<paramref name="firstBlock"/>, <paramref name="endBlock"/>) over the upper triangle of 128×128 tiles
    /// (element k of the answer is block firstBlock + k). A work item is a group of consecutive row blocks:
    /// their rows are packed once, then each column block from the first of them on is read from <paramref name="x"/>,
    /// packed, and multiplied against every row block of the group at or above it, so the column rows are read once per
    /// group (groups of up to 16 blocks, as many as keep 8 items per core) rather than once per row block. One accumulator per row block, fed its tiles in
    /// column order and merged in block order: which thread ran a group must not change the rounding, so the same input
    /// gives the same bits on any core count and any schedule (quality's JSON and report.json are compared byte for byte).
    /// </summary>
    private static unsafe LogSumExp[] TiledPass<T, TKernel>(EmbeddingRows x, double t, int firstBlock, int endBlock, int maxDegreeOfParallelism, IProgress<double>? progress, CancellationToken cancellationToken)
        where T : unmanaged, INumberBase<T>
        where TKernel : ITileKernel<T>
    {
        const int block = PackedRows.Block;
        var (n, d) = (x.Rows, x.Dim);
        var blocks = BlockCount(n);
        var threads = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;
        var group = Math.Clamp((endBlock - firstBlock) / (8 * threads), 1, 16);
        var items = (endBlock - firstBlock + group - 1) / group;
        var sums = new LogSumExp[endBlock - firstBlock];
        var tilesTotal = (double)Math.Max(1, TilesBefore(blocks, endBlock) - TilesBefore(blocks, firstBlock));
        long tilesDone = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken };

        // Items are handed out one at a time from the first (the longest: the upper triangle's widest rows) so cores finish together.
        Parallel.ForEach(
            Partitioner.Create(0, items, 1),
            options,
            () => new Workspace<T>(group, d, TKernel.ColStrip),
            (range, _, w) =>
            {
                for (var item = range.Item1; item < range.Item2; item++)
                {
                    var (rb0, rb1) = (firstBlock + (item * group), Math.Min(endBlock, firstBlock + ((item + 1) * group)));
                    w.Load(x, rb0 * block, Math.Min(n, rb1 * block) - (rb0 * block), w.Rows, w.RowNorms, GramKernel.RowStrip, rowSide: true);
                    long tiles = 0;
                    for (var j = rb0; j < blocks; j++)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var validCols = Math.Min(block, n - (j * block));
                        w.Load(x, j * block, validCols, w.Cols, w.ColNorms, TKernel.ColStrip, rowSide: false);
                        var a = w.ColumnTerms;
                        a.AsSpan().Fill(T.CreateTruncating(double.NegativeInfinity));
                        for (var c = 0; c < validCols; c++)
                        {
                            a[c] = T.CreateTruncating(-t * w.ColNorms[c]);
                        }

                        for (var i = rb0; i <= Math.Min(j, rb1 - 1); i++)
                        {
                            var validRows = Math.Min(block, n - (i * block));
                            fixed (T* rows = w.Rows, cols = w.Cols, tile = w.Tile)
                            {
                                PairwiseTiles.ComputeTile<T, TKernel>(rows + ((i - rb0) * block * d), cols, d, validRows, validCols, i == j, tile);
                            }

                            (sums[i - firstBlock] ??= new LogSumExp()).AddTile<T, TKernel>(w.Tile, w.RowNorms.AsSpan((i - rb0) * block, validRows), a, validCols, i == j, t);
                            tiles++;
                        }
                    }

                    var done = Interlocked.Add(ref tilesDone, tiles);
                    progress?.Report(done / tilesTotal);
                }

                return w;
            },
            _ => { });

        return sums;
    }

    /// <summary>
    /// Largest accepted t. Squared distances are at most about 4, so t·‖x − y‖², the finite-N bound
    /// 2tN/(N−1) ≤ 4t and every intermediate of the reference values stay far inside double range.
    /// </summary>
    public const double MaxT = 1e300;

    /// <summary>Throws unless t is in (0, <see cref="MaxT"/>].</summary>
    public static void CheckT(double t) => Alignment.CheckRange("t", t, MaxT, "uniformity multiplies squared distances up to 4 by t");

    /// <summary>Mean of ‖xᵢ − xⱼ‖² over pairs i &lt; j: Σ_{i&lt;j}‖xᵢ − xⱼ‖² = N·Σ‖xᵢ‖² − ‖Σxᵢ‖².</summary>
    private static double MeanSquaredDistance(EmbeddingRows x)
    {
        var sum = new double[x.Dim];
        var squares = 0.0;
        x.ForEachBlock((_, count, rows) =>
        {
            for (var r = 0; r < count; r++)
            {
                var row = rows.Slice(r * x.Dim, x.Dim);
                TensorPrimitives.Add(sum, row, sum);
                squares += TensorPrimitives.Dot(row, row);
            }
        });

        var pairs = (double)x.Rows * (x.Rows - 1) / 2;
        return Math.Max(0, (x.Rows * squares) - TensorPrimitives.Dot<double>(sum, sum)) / pairs;
    }

    /// <summary>One thread's buffers: a group's row panels, one column panel, their squared norms, a tile.</summary>
    private sealed class Workspace<T>
        where T : unmanaged, INumberBase<T>
    {
        private readonly double[] _staging;

        public Workspace(int group, int dim, int colStrip)
        {
            const int block = PackedRows.Block;
            _staging = new double[group * block * dim];
            Rows = GC.AllocateArray<T>(group * block * dim, pinned: true);
            Cols = GC.AllocateArray<T>(block * dim, pinned: true);
            RowNorms = new double[group * block];
            ColNorms = new double[block];
            ColumnTerms = new T[block];
            Tile = GC.AllocateArray<T>(block * block, pinned: true);
            ColStrip = colStrip;
        }

        public T[] Rows { get; }

        public T[] Cols { get; }

        public double[] RowNorms { get; }

        public double[] ColNorms { get; }

        /// <summary>aⱼ = −t‖xⱼ‖² of the current column block, −∞ for padding.</summary>
        public T[] ColumnTerms { get; }

        public T[] Tile { get; }

        private int ColStrip { get; }

        /// <summary>Reads <paramref name="count"/> rows from <paramref name="first"/>, packs them (padding zeroed) and takes their squared norms.</summary>
        public void Load(EmbeddingRows x, int first, int count, T[] panel, double[] norms, int strip, bool rowSide)
        {
            var d = x.Dim;
            var values = _staging.AsSpan(0, count * d);
            x.ReadRows(first, values);
            for (var r = 0; r < count; r++)
            {
                var row = values.Slice(r * d, d);
                norms[r] = TensorPrimitives.Dot<double>(row, row);
            }

            var padded = (count + PackedRows.Block - 1) / PackedRows.Block * PackedRows.Block;
            panel.AsSpan(count / strip * strip * d, (padded - (count / strip * strip)) * d).Clear();
            PackedRows.Pack<T>(values, count, d, rowSide ? panel : default, rowSide ? default : panel, rowSide ? strip : ColStrip);
        }
    }

    /// <summary>Σ exp(vₖ) kept as (max, Σ exp(vₖ − max)) so neither over- nor underflows.</summary>
    private sealed class LogSumExp
    {
        private double _max = double.NegativeInfinity;
        private double _sum;

        public LogSumExp()
        {
        }

        /// <summary>A state as a shard's partial file keeps it.</summary>
        public LogSumExp(double max, double sum) => (_max, _sum) = (max, sum);

        public double Max => _max;

        public double Sum => _sum;

        public double Log() => _max + Math.Log(_sum);

        public void Merge(LogSumExp other) => Add(other._max, other._sum);

        /// <summary>
        /// Adds exp(v) of a tile's pairs: v = −t·max(0, ‖xᵢ‖² + ‖xⱼ‖² − 2 xᵢ·xⱼ) = min(0, 2t·g + aⱼ + bᵢ) with
        /// aⱼ = −t‖xⱼ‖² (<paramref name="a"/>, −∞ beyond the valid columns) and bᵢ = −t‖xᵢ‖²; in a diagonal tile only j &gt; i.
        /// </summary>
        public void AddTile<T, TKernel>(T[] gram, ReadOnlySpan<double> rowNorms, ReadOnlySpan<T> a, int cols, bool diagonal, double t)
            where T : unmanaged, INumberBase<T>
            where TKernel : ITileKernel<T>
        {
            const int block = PackedRows.Block;
            var s = T.CreateTruncating(2 * t);
            for (var r = 0; r < rowNorms.Length; r++)
            {
                var first = diagonal ? r + 1 : 0;
                if (first >= cols)
                {
                    continue;
                }

                var (max, sum) = TKernel.RowLogSumExp(gram.AsSpan(r * block, block), a, s, T.CreateTruncating(-t * rowNorms[r]), first);
                Add(max, sum);
            }
        }

        private void Add(double max, double sum)
        {
            if (sum == 0)
            {
                return;
            }

            if (max > _max)
            {
                _sum = (_sum * Math.Exp(_max - max)) + sum;
                _max = max;
            }
            else
            {
                _sum += sum * Math.Exp(max - _max);
            }
        }
    }
}
