using System.Numerics;

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
        Pack(values, rows, dim, RowPanels, ColPanels, GramKernel.ColStrip);
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

    /// <summary>
    /// Packs <paramref name="rows"/> rows of <paramref name="values"/> (row-major, length <paramref name="dim"/>) into the
    /// broadcast layout [strip of 8][k][8] in <paramref name="rowPanel"/> and the vector layout [strip of
    /// <paramref name="colStrip"/>][k][<paramref name="colStrip"/>] in <paramref name="colPanel"/>, converted to
    /// <typeparamref name="T"/>; an empty panel is skipped. Entries of padding rows are left as they are.
    /// </summary>
    public static void Pack<T>(ReadOnlySpan<double> values, int rows, int dim, Span<T> rowPanel, Span<T> colPanel, int colStrip)
        where T : INumberBase<T>
    {
        const int r8 = GramKernel.RowStrip;
        for (var i = 0; i < rows; i++)
        {
            var src = values.Slice(i * dim, dim);
            if (!rowPanel.IsEmpty)
            {
                var a = (i / r8 * dim * r8) + (i % r8);
                for (var k = 0; k < dim; k++)
                {
                    rowPanel[a + (k * r8)] = T.CreateTruncating(src[k]);
                }
            }

            if (!colPanel.IsEmpty)
            {
                var b = (i / colStrip * dim * colStrip) + (i % colStrip);
                for (var k = 0; k < dim; k++)
                {
                    colPanel[b + (k * colStrip)] = T.CreateTruncating(src[k]);
                }
            }
        }
    }
}
