using System.Numerics.Tensors;
using Hypersphere.Core.Embeddings;

namespace Hypersphere.Core.Metrics;

/// <summary>
/// O(N·d) spread diagnostics that need no pairwise pass: blocks of rows on all cores, their partial sums merged in
/// block order (the same bits on any core count, in memory or streamed from a file).
/// </summary>
public static class Spread
{
    /// <summary>
    /// Mean cosine over pairs i &lt; j, in closed form: (‖Σxᵢ‖² − Σ‖xᵢ‖²) / (N(N−1)) for unit rows.
    /// 1 when every row is the same; about 0 for points spread over the sphere; ≥ −1/(N−1) always.
    /// </summary>
    public static double MeanCosine(EmbeddingRows x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var sum = new double[x.Dim];
        var selfDots = 0.0;
        foreach (var (columns, dots) in x.MapBlocks((_, count, rows) =>
        {
            var columns = new double[x.Dim];
            var dots = 0.0;
            for (var r = 0; r < count; r++)
            {
                var row = rows.Slice(r * x.Dim, x.Dim);
                TensorPrimitives.Add(columns, row, columns);
                dots += TensorPrimitives.Dot<double>(row, row);
            }

            return (columns, dots);
        }))
        {
            TensorPrimitives.Add(sum, columns, sum);
            selfDots += dots;
        }

        return (TensorPrimitives.Dot<double>(sum, sum) - selfDots) / ((double)x.Rows * (x.Rows - 1));
    }

    /// <summary>
    /// Mean over dimensions of the (N−1)-normalised standard deviation of the unit rows, times √d
    /// (SimSiam's collapse monitor): about 1 for points spread evenly, 0 when all rows coincide.
    /// </summary>
    public static double StdTimesSqrtDim(EmbeddingRows x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var mean = ColumnTotals(x, (rows, count, totals) =>
        {
            for (var r = 0; r < count; r++)
            {
                TensorPrimitives.Add(totals, rows.Slice(r * x.Dim, x.Dim), totals);
            }
        });
        TensorPrimitives.Divide(mean, x.Rows, mean);

        var squares = ColumnTotals(x, (rows, count, totals) =>
        {
            var deviation = new double[x.Dim];
            for (var r = 0; r < count; r++)
            {
                TensorPrimitives.Subtract(rows.Slice(r * x.Dim, x.Dim), mean, deviation);
                TensorPrimitives.MultiplyAdd(deviation, deviation, totals, totals);
            }
        });

        var stdSum = 0.0;
        foreach (var s in squares)
        {
            stdSum += Math.Sqrt(s / (x.Rows - 1));
        }

        return stdSum / x.Dim * Math.Sqrt(x.Dim);
    }

    /// <summary>Per-column totals that <paramref name="add"/> accumulates over each block, merged in block order.</summary>
    private static double[] ColumnTotals(EmbeddingRows x, ColumnAdd add)
    {
        var total = new double[x.Dim];
        foreach (var part in x.MapBlocks((_, count, rows) =>
        {
            var totals = new double[x.Dim];
            add(rows, count, totals);
            return totals;
        }))
        {
            TensorPrimitives.Add(total, part, total);
        }

        return total;
    }

    private delegate void ColumnAdd(Span<double> rows, int count, double[] totals);
}
