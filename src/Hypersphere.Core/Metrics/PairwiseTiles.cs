using System.Collections.Concurrent;

namespace Hypersphere.Core.Metrics;

/// <summary>Which tiles of the Gram matrix a pass needs.</summary>
internal enum TileSet
{
    /// <summary>Tiles on or above the block diagonal: every unordered pair once (plus the rest of diagonal tiles).</summary>
    UpperTriangle,

    /// <summary>Every tile: each row sees every column.</summary>
    Full,
}

/// <summary>
/// Drives a pass over the Gram matrix X·Yᵀ one <see cref="PackedRows.Block"/>² tile at a time on
/// all cores, never materialising the N×N matrix: memory is O(N·d) for the panels plus one tile
/// per thread. Each thread owns a state that the consumer folds tiles
/// into; the states are handed back for merging when the pass ends. All tiles of one row block
/// are consumed by the same thread.
/// </summary>
internal static unsafe class PairwiseTiles
{
    /// <summary>
    /// Computes tiles and calls <paramref name="consume"/>(state, rowBlock, colBlock, tile) with the tile's
    /// dot products, row-major with stride <see cref="PackedRows.Block"/>. In diagonal tiles of an
    /// <see cref="TileSet.UpperTriangle"/> pass, entries at or below the diagonal may hold stale values:
    /// the consumer must ignore them, as it must ignore padding beyond the valid rows and columns.
    /// </summary>
    public static IReadOnlyList<TState> Run<TState>(
        PackedRows rows,
        PackedRows cols,
        TileSet set,
        Func<TState> createState,
        Action<TState, int, int, double[]> consume,
        int maxDegreeOfParallelism = -1)
    {
        if (rows.Dim != cols.Dim)
        {
            throw new ArgumentException($"dimensions differ: {rows.Dim} vs {cols.Dim}", nameof(cols));
        }

        var states = new List<TState>();
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount,
        };

        // One work item per row block, handed out one at a time from the longest (upper triangle:
        // block 0 has the most tiles) so cores finish together. A row block stays on one thread for
        // the whole pass, so consumers may keep per-row state without locks.
        var partitioner = Partitioner.Create(0, rows.BlockCount, 1);
        Parallel.ForEach(
            partitioner,
            options,
            () => (State: createState(), Tile: GC.AllocateArray<double>(PackedRows.Block * PackedRows.Block, pinned: true)),
            (range, _, local) =>
            {
                for (var i = range.Item1; i < range.Item2; i++)
                {
                    for (var j = set == TileSet.UpperTriangle ? i : 0; j < cols.BlockCount; j++)
                    {
                        ComputeTile(rows, cols, i, j, diagonal: set == TileSet.UpperTriangle && i == j, local.Tile);
                        consume(local.State, i, j, local.Tile);
                    }
                }

                return local;
            },
            local =>
            {
                lock (states)
                {
                    states.Add(local.State);
                }
            });
        return states;
    }

    private static void ComputeTile(PackedRows rows, PackedRows cols, int rowBlock, int colBlock, bool diagonal, double[] tile)
    {
        const int block = PackedRows.Block;
        var k = rows.Dim;
        fixed (double* a0 = rows.RowPanels, b0 = cols.ColPanels, c0 = tile)
        {
            ComputeTile<double, DoubleTiles>(
                a0 + (rowBlock * block * k), b0 + (colBlock * block * k), k, rows.ValidInBlock(rowBlock), cols.ValidInBlock(colBlock), diagonal, c0);
        }
    }

    /// <summary>
    /// One tile of dot products from a block's row panel <paramref name="a0"/> and column panel <paramref name="b0"/>
    /// (<see cref="PackedRows.Pack"/>'s layouts) into <paramref name="c0"/>, row stride <see cref="PackedRows.Block"/>,
    /// by <typeparamref name="TKernel"/>'s micro-kernel; in a diagonal tile, strips wholly below the diagonal are skipped.
    /// </summary>
    public static void ComputeTile<T, TKernel>(T* a0, T* b0, int k, int validRows, int validCols, bool diagonal, T* c0)
        where T : unmanaged
        where TKernel : ITileKernel<T>
    {
        const int block = PackedRows.Block, r8 = GramKernel.RowStrip;
        var strip = TKernel.ColStrip;
        for (var r = 0; r < validRows; r += r8)
        {
            var a = a0 + (r * k);
            for (var c = 0; c < validCols; c += strip)
            {
                // Strips wholly at or below the diagonal hold no pair i < j.
                if (diagonal && c + strip - 1 <= r)
                {
                    continue;
                }

                TKernel.Multiply(a, b0 + (c * k), k, c0 + (r * block) + c, block);
            }
        }
    }
}
