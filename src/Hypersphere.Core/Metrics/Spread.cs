using Hypersphere.Core.Embeddings;

namespace Hypersphere.Core.Metrics;

/// <summary>O(N·d) spread diagnostics that need no pairwise pass.</summary>
public static class Spread
{
    /// <summary>
    /// Mean cosine over pairs i &lt; j, in closed form: (‖Σxᵢ‖² − Σ‖xᵢ‖²) / (N(N−1)) for unit rows.
    /// 1 when every row is the same; about 0 for points spread over the sphere; ≥ −1/(N−1) always.
    /// </summary>
    public static double MeanCosine(EmbeddingMatrix x)
    {
        var sum = new double[x.Dim];
        var selfDots = 0.0;
        for (var i = 0; i < x.Rows; i++)
        {
            var row = x.Row(i);
            for (var k = 0; k < row.Length; k++)
            {
                sum[k] += row[k];
                selfDots += row[k] * row[k];
            }
        }

        var total = 0.0;
        foreach (var s in sum)
        {
            total += s * s;
        }

        return (total - selfDots) / ((double)x.Rows * (x.Rows - 1));
    }

    /// <summary>
    /// Mean over dimensions of the (N−1)-normalised standard deviation of the unit rows, times √d
    /// (SimSiam's collapse monitor): about 1 for points spread evenly, 0 when all rows coincide.
    /// </summary>
    public static double StdTimesSqrtDim(EmbeddingMatrix x)
    {
        var mean = new double[x.Dim];
        for (var i = 0; i < x.Rows; i++)
        {
            var row = x.Row(i);
            for (var k = 0; k < row.Length; k++)
            {
                mean[k] += row[k];
            }
        }

        for (var k = 0; k < mean.Length; k++)
        {
            mean[k] /= x.Rows;
        }

        var squares = new double[x.Dim];
        for (var i = 0; i < x.Rows; i++)
        {
            var row = x.Row(i);
            for (var k = 0; k < row.Length; k++)
            {
                var deviation = row[k] - mean[k];
                squares[k] += deviation * deviation;
            }
        }

        var stdSum = 0.0;
        foreach (var s in squares)
        {
            stdSum += Math.Sqrt(s / (x.Rows - 1));
        }

        return stdSum / x.Dim * Math.Sqrt(x.Dim);
    }
}
