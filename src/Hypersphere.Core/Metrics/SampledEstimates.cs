using System.Numerics.Tensors;
using Hypersphere.Core.Embeddings;

namespace Hypersphere.Core.Metrics;

/// <summary>An estimate from a random sample, with its 95 % confidence interval.</summary>
/// <param name="Value">The estimate.</param>
/// <param name="Low">Lower end of the 95 % interval.</param>
/// <param name="High">Upper end of the 95 % interval.</param>
/// <param name="Samples">Pairs (or rows) drawn.</param>
/// <param name="RelativeStandardError">Standard error of the sample mean divided by the mean (the spread of one draw, over √samples).</param>
public sealed record SampledEstimate(double Value, double Low, double High, long Samples, double RelativeStandardError);

/// <summary>
/// Uniformity and alignment estimated from uniformly drawn pairs, for inputs too large for the exact O(N²d)
/// pass. Pairs are drawn with replacement from the N(N − 1)/2 distinct pairs, so the sample mean of
/// exp(−t‖xᵢ − xⱼ‖²) is an unbiased estimate of the exact mean over pairs i &lt; j. The interval is the normal
/// (CLT) interval of that mean, mean·(1 ± 1.96·RSE), mapped through the log: L_uniform's interval is
/// [L + log(1 − 1.96·RSE), L + log(1 + 1.96·RSE)], exact in coverage to the extent the mean's interval is, and
/// asymmetric as the log makes it. (The delta method's L ± 1.96·RSE is its first-order form; it is used only when
/// 1.96·RSE ≥ 1, where the mean's interval reaches 0 and the sample is far too small to say much.)
/// Draws are split into fixed chunks, each with its own seeded generator, and merged in chunk order, so a seed
/// gives the same bits on any number of cores.
/// </summary>
public static class SampledEstimates
{
    /// <summary>The normal quantile of a two-sided 95 % interval.</summary>
    public const double Z95 = 1.959963984540054;

    private const int Chunk = 1 << 16;

    /// <summary>Estimates L_uniform of the rows of <paramref name="x"/> from <paramref name="pairs"/> random distinct pairs.</summary>
    public static SampledEstimate Uniformity(EmbeddingRows x, double t, long pairs, int seed, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(x);
        Metrics.Uniformity.CheckT(t);
        if (x.Rows < 2 || pairs < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(pairs), "sampling needs at least 2 rows and 2 pairs");
        }

        var chunks = (int)((pairs + Chunk - 1) / Chunk);
        var sums = new ScaledSums[chunks];
        var n = x.Rows;
        Parallel.For(0, chunks, Options(maxDegreeOfParallelism), c =>
        {
            var random = ChunkRandom(seed, c);
            var count = (int)Math.Min(Chunk, pairs - ((long)c * Chunk));
            var local = new ScaledSums();
            Span<double> a = new double[x.Dim], b = new double[x.Dim];
            for (var s = 0; s < count; s++)
            {
                var i = random.Next(n);
                var j = random.Next(n - 1);
                j += j >= i ? 1 : 0;
                x.ReadRows(i, a);
                x.ReadRows(j, b);
                var d = TensorPrimitives.Distance<double>(a, b);
                local.Add(-t * d * d);
            }

            sums[c] = local;
        });

        var total = new ScaledSums();
        foreach (var chunk in sums)
        {
            total.Merge(chunk);
        }

        var (logMean, rse) = total.LogMeanAndRelativeError();
        var (low, high) = LogInterval(logMean, rse);
        return new SampledEstimate(logMean, low, high, pairs, rse);
    }

    /// <summary>Estimates E‖xᵢ − yᵢ‖^α from <paramref name="rows"/> positive pairs drawn uniformly with replacement.</summary>
    public static SampledEstimate Alignment(EmbeddingRows x, EmbeddingRows y, double alpha, long rows, int seed)
    {
        Metrics.Alignment.CheckPairs(x, y);
        Metrics.Alignment.CheckAlpha(alpha);
        var random = ChunkRandom(seed, -1);
        double mean = 0, m2 = 0;
        Span<double> a = new double[x.Dim], b = new double[x.Dim];
        for (long s = 0; s < rows; s++)
        {
            var i = random.Next(x.Rows);
            x.ReadRows(i, a);
            y.ReadRows(i, b);
            var v = Math.Pow(TensorPrimitives.Distance<double>(a, b), alpha);
            var delta = v - mean;
            mean += delta / (s + 1);
            m2 += delta * (v - mean);
        }

        var se = rows > 1 ? Math.Sqrt(m2 / (rows - 1) / rows) : double.PositiveInfinity;
        return new SampledEstimate(mean, Math.Max(0, mean - (Z95 * se)), mean + (Z95 * se), rows, mean > 0 ? se / mean : 0);
    }

    /// <summary>
    /// Pairs needed for a 95 % half-width of about <paramref name="error"/> on L_uniform, from a pilot estimate's
    /// relative standard error: half-width ≈ 1.96·RSE₁/√M with RSE₁ the spread of one draw relative to the mean.
    /// </summary>
    public static long PairsForError(SampledEstimate pilot, double error)
    {
        ArgumentNullException.ThrowIfNull(pilot);
        var perDraw = pilot.RelativeStandardError * Math.Sqrt(pilot.Samples);
        var needed = Math.Ceiling(Math.Pow(Z95 * perDraw / error, 2));
        return (long)Math.Clamp(needed, 2, 1e15);
    }

    private static (double Low, double High) LogInterval(double logMean, double rse)
    {
        var half = Z95 * rse;
        return half < 1 ? (logMean + double.LogP1(-half), logMean + double.LogP1(half)) : (logMean - half, logMean + half);
    }

    private static Random ChunkRandom(int seed, int chunk) => new(unchecked((seed * 1_000_003) + chunk));

    private static ParallelOptions Options(int maxDegreeOfParallelism) => new()
    {
        MaxDegreeOfParallelism = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount,
    };

    /// <summary>Count, Σ e^{v − m} and Σ e^{2(v − m)} about a running maximum m, so no t under- or overflows.</summary>
    private sealed class ScaledSums
    {
        private double _max = double.NegativeInfinity, _sum, _squares;
        private long _count;

        public void Add(double v)
        {
            _count++;
            if (v > _max)
            {
                var scale = Math.Exp(_max - v);
                (_sum, _squares, _max) = ((_sum * scale) + 1, (_squares * scale * scale) + 1, v);
                return;
            }

            var e = Math.Exp(v - _max);
            _sum += e;
            _squares += e * e;
        }

        public void Merge(ScaledSums other)
        {
            if (other._count == 0)
            {
                return;
            }

            var max = Math.Max(_max, other._max);
            double a = _count == 0 ? 0 : Math.Exp(_max - max), b = Math.Exp(other._max - max);
            (_sum, _squares) = ((_sum * a) + (other._sum * b), (_squares * a * a) + (other._squares * b * b));
            (_max, _count) = (max, _count + other._count);
        }

        /// <summary>log of the mean of e^v, and the standard error of that mean relative to it.</summary>
        public (double LogMean, double RelativeError) LogMeanAndRelativeError()
        {
            var mean = _sum / _count;
            var variance = Math.Max(0, (_squares / _count) - (mean * mean)) * _count / Math.Max(1, _count - 1);
            return (_max + Math.Log(mean), Math.Sqrt(variance / _count) / mean);
        }
    }
}
