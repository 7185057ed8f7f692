namespace Hypersphere.Core.Metrics;

/// <summary>
/// A matrix's rows copied into the two panel layouts that <see cref="GramKernel"/> streams
/// through: strips of 8 rows as [k][8] (the broadcast side) and strips of 16 rows as [k][16]
/// (the vector side). Rows are zero-padded to a multiple of <see cref="Block"/>. The arrays
/// are pinned so kernels can take pointers without fixing them per call.
/// </summary>
internal sealed class PackedRows
{
    /// <summary>Rows per tile edge; a tile is Block×Block dot products (128 KiB in float64).</summary>
    public const int Block = 128;

    public PackedRows(ReadOnlySpan<double> values, int rows, int dim)
    {
        Rows = rows;
        Dim = dim;
        PaddedRows = (rows + Block - 1) / Block * Block;
        RowPanels = GC.AllocateArray<double>(PaddedRows * dim, pinned: true);
        ColPanels = GC.AllocateArray<double>(PaddedRows * dim, pinned: true);
        const int r8 = GramKernel.RowStrip, c16 = GramKernel.ColStrip;
        for (var i = 0; i < rows; i++)
        {
            var src = values.Slice(i * dim, dim);
            var a = (i / r8 * dim * r8) + (i % r8);
            var b = (i / c16 * dim * c16) + (i % c16);
            for (var k = 0; k < dim; k++)
            {
                RowPanels[a + (k * r8)] = src[k];
                ColPanels[b + (k * c16)] = src[k];
            }
        }
    }

    /// <summary>Valid rows.</summary>
    public int Rows { get; }

    /// <summary>Row length (the dot-product length).</summary>
    public int Dim { get; }

    /// <summary>Rows rounded up to a multiple of <see cref="Block"/>.</summary>
    public int PaddedRows { get; }

    /// <summary>Number of tile blocks along the rows.</summary>
    public int BlockCount => PaddedRows / Block;

    /// <summary>Valid rows in block <paramref name="block"/>.</summary>
    public int ValidInBlock(int block) => Math.Min(Block, Rows - (block * Block));

    /// <summary>[strip of 8 rows][k][8].</summary>
    public double[] RowPanels { get; }

    /// <summary>[strip of 16 rows][k][16].</summary>
    public double[] ColPanels { get; }
}
