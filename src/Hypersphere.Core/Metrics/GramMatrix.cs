namespace Hypersphere.Core.Metrics;

/// <summary>Dense Gram matrices for the small side of a problem (d×d or a small N×N).</summary>
internal static class GramMatrix
{
    /// <summary>G = A·Aᵀ for A with <paramref name="rows"/> rows of length <paramref name="length"/>, row-major (symmetric, so either order).</summary>
    public static double[] OfRows(ReadOnlySpan<double> values, int rows, int length)
    {
        var packed = new PackedRows(values, rows, length);
        var gram = new double[rows * rows];
        PairwiseTiles.Run(
            packed,
            packed,
            TileSet.Full,
            () => 0,
            (_, rowBlock, colBlock, tile) =>
            {
                const int block = PackedRows.Block;
                var i0 = rowBlock * block;
                var j0 = colBlock * block;
                var cols = Math.Min(block, rows - j0);
                for (var r = 0; r < Math.Min(block, rows - i0); r++)
                {
                    tile.AsSpan(r * block, cols).CopyTo(gram.AsSpan(((i0 + r) * rows) + j0, cols));
                }
            });
        return gram;
    }
}
