using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Errors;

namespace Hypersphere.Core.Metrics;

/// <summary>
/// Uniformity, L_uniform(f; t) = log E exp(−t‖f(x) − f(y)‖²), estimated as in the paper's
/// official code: the log of the mean over pairs i &lt; j (self-pairs excluded).
/// </summary>
public static class Uniformity
{
    /// <summary>The paper's default kernel width.</summary>
    public const double DefaultT = 2;

    /// <summary>
    /// Below this t, log mean exp(−t‖xᵢ − xⱼ‖²) is −t·mean ‖xᵢ − xⱼ‖² to a relative 2t·4 ≤ 1e-8, while
    /// the log-sum-exp would return log(1 + O(t)) with an absolute rounding error of 1e-16 ≫ t.
    /// </summary>
    internal const double SmallT = 1.25e-9;

    /// <summary>
    /// Uniformity of the rows of <paramref name="x"/>. O(N²d) work in float64 on all cores, tiled so
    /// memory stays O(N·d), and the same bits whatever the core count or schedule; squared distances are
    /// ‖xᵢ‖² + ‖xⱼ‖² − 2xᵢ·xⱼ clamped at 0, summed with a running log-sum-exp so no t underflows. For t below <see cref="SmallT"/>, the first cumulant
    /// −t·mean ‖xᵢ − xⱼ‖² in O(N·d) instead, which keeps its relative precision down to the smallest t.
    /// </summary>
    public static double Compute(EmbeddingMatrix x, double t = DefaultT, int maxDegreeOfParallelism = -1)
    {
        CheckT(t);
        if (t < SmallT)
        {
            return -t * MeanSquaredDistance(x);
        }

        var packed = new PackedRows(x.Values, x.Rows, x.Dim);
        var norms = SquaredNorms(x);
        // One accumulator per row block, merged in block order: which thread ran a block must not change the
        // rounding, so the same input gives the same bits on any core count and any schedule (quality's JSON and
        // report.json are compared byte for byte). A row block's tiles all run on one thread, in column order.
        var blocks = new LogSumExp[packed.BlockCount];
        PairwiseTiles.Run(
            packed,
            packed,
            TileSet.UpperTriangle,
            () => 0,
            (_, i, j, tile) => (blocks[i] ??= new LogSumExp()).AddTile(tile, norms, x.Rows, i, j, t),
            maxDegreeOfParallelism);
        var total = new LogSumExp();
        foreach (var block in blocks)
        {
            if (block is not null)
            {
                total.Merge(block);
            }
        }

        var pairs = (double)x.Rows * (x.Rows - 1) / 2;
        return total.Log() - Math.Log(pairs);
    }

    /// <summary>
    /// Largest accepted t. Squared distances are at most about 4, so t·‖x − y‖², the finite-N bound
    /// 2tN/(N−1) ≤ 4t and every intermediate of the reference values stay far inside double range.
    /// </summary>
    public const double MaxT = 1e300;

    /// <summary>Throws unless t is in (0, <see cref="MaxT"/>].</summary>
    public static void CheckT(double t) => Alignment.CheckRange("t", t, MaxT, "uniformity multiplies squared distances up to 4 by t");

    /// <summary>Mean of ‖xᵢ − xⱼ‖² over pairs i &lt; j: Σ_{i&lt;j}‖xᵢ − xⱼ‖² = N·Σ‖xᵢ‖² − ‖Σxᵢ‖².</summary>
    private static double MeanSquaredDistance(EmbeddingMatrix x)
    {
        var sum = new double[x.Dim];
        var squares = 0.0;
        for (var i = 0; i < x.Rows; i++)
        {
            var row = x.Row(i);
            TensorPrimitives.Add(sum, row, sum);
            squares += TensorPrimitives.Dot(row, row);
        }

        var pairs = (double)x.Rows * (x.Rows - 1) / 2;
        return Math.Max(0, (x.Rows * squares) - TensorPrimitives.Dot<double>(sum, sum)) / pairs;
    }

    internal static double[] SquaredNorms(EmbeddingMatrix x)
    {
        var norms = new double[x.Rows];
        for (var i = 0; i < x.Rows; i++)
        {
            var row = x.Row(i);
            norms[i] = TensorPrimitives.Dot(row, row);
        }

        return norms;
    }

    /// <summary>Σ exp(vₖ) kept as (max, Σ exp(vₖ − max)) so neither over- nor underflows.</summary>
    private sealed class LogSumExp
    {
        private readonly double[] _columnTerms = new double[PackedRows.Block];
        private double _max = double.NegativeInfinity;
        private double _sum;

        public double Log() => _max + Math.Log(_sum);

        public void Merge(LogSumExp other) => Add(other._max, other._sum);

        public void AddTile(double[] gram, double[] norms, int n, int rowBlock, int colBlock, double t)
        {
            const int block = PackedRows.Block;
            var i0 = rowBlock * block;
            var j0 = colBlock * block;
            var rows = Math.Min(block, n - i0);
            var cols = Math.Min(block, n - j0);

            // v = −t·max(0, ‖xᵢ‖² + ‖xⱼ‖² − 2 xᵢ·xⱼ) = min(0, 2t·g + aⱼ + bᵢ) with aⱼ = −t‖xⱼ‖², bᵢ = −t‖xᵢ‖².
            var a = _columnTerms.AsSpan(0, block);
            a.Fill(double.NegativeInfinity);
            TensorPrimitives.Multiply(norms.AsSpan(j0, cols), -t, a);
            for (var r = 0; r < rows; r++)
            {
                var row = gram.AsSpan(r * block, block);
                var first = rowBlock == colBlock ? r + 1 : 0;
                if (first >= cols)
                {
                    continue;
                }

                var (max, sum) = RowLogSumExp(row, a, 2 * t, -t * norms[i0 + r], first);
                Add(max, sum);
            }
        }

        /// <summary>
        /// (max, Σ exp(v − max)) over vⱼ = min(0, s·gⱼ + aⱼ + b) for j ≥ <paramref name="first"/>; entries
        /// before it (the diagonal and below) and padding (aⱼ = −∞) count as exp(−∞) = 0.
        /// Fused in registers because a pass per operation made this step cost more than the Gram itself.
        /// </summary>
        private static (double Max, double Sum) RowLogSumExp(Span<double> g, ReadOnlySpan<double> a, double s, double b, int first)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                var scale = Vector512.Create(s);
                var offset = Vector512.Create(b);
                var vmax = Vector512.Create(double.NegativeInfinity);
                for (var j = 0; j < g.Length; j += Vector512<double>.Count)
                {
                    var v = Vector512.Min(Vector512<double>.Zero, Vector512.FusedMultiplyAdd(Vector512.Create(g[j..]), scale, Vector512.Create(a[j..]) + offset));
                    v.CopyTo(g[j..]);
                }

                g[..first].Fill(double.NegativeInfinity);
                for (var j = 0; j < g.Length; j += Vector512<double>.Count)
                {
                    vmax = Vector512.Max(vmax, Vector512.Create(g[j..]));
                }

                var max = HorizontalMax(vmax);
                var shift = Vector512.Create(max);
                var sum = Vector512<double>.Zero;
                for (var j = 0; j < g.Length; j += Vector512<double>.Count)
                {
                    sum += Vector512.Exp(Vector512.Create(g[j..]) - shift);
                }

                return (max, Vector512.Sum(sum));
            }
            else
            {
                var scale = Vector256.Create(s);
                var offset = Vector256.Create(b);
                var vmax = Vector256.Create(double.NegativeInfinity);
                for (var j = 0; j < g.Length; j += Vector256<double>.Count)
                {
                    var v = Vector256.Min(Vector256<double>.Zero, Vector256.FusedMultiplyAdd(Vector256.Create(g[j..]), scale, Vector256.Create(a[j..]) + offset));
                    v.CopyTo(g[j..]);
                }

                g[..first].Fill(double.NegativeInfinity);
                for (var j = 0; j < g.Length; j += Vector256<double>.Count)
                {
                    vmax = Vector256.Max(vmax, Vector256.Create(g[j..]));
                }

                var max = HorizontalMax(vmax);
                var shift = Vector256.Create(max);
                var sum = Vector256<double>.Zero;
                for (var j = 0; j < g.Length; j += Vector256<double>.Count)
                {
                    sum += Vector256.Exp(Vector256.Create(g[j..]) - shift);
                }

                return (max, Vector256.Sum(sum));
            }
        }

        private static double HorizontalMax<TVector>(TVector lanes)
            where TVector : struct
        {
            var max = double.NegativeInfinity;
            foreach (var lane in System.Runtime.InteropServices.MemoryMarshal.Cast<TVector, double>(new ReadOnlySpan<TVector>(in lanes)))
            {
                max = Math.Max(max, lane);
            }

            return max;
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
