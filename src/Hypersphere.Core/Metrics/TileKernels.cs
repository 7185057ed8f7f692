using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Hypersphere.Core.Metrics;

/// <summary>
/// A precision of the tiled pairwise pass: its Gram micro-kernel and its fused per-row log-sum-exp, as static
/// members so the JIT compiles one specialised pass per precision.
/// </summary>
/// <typeparam name="T">Element type of the packed panels and the tile.</typeparam>
internal unsafe interface ITileKernel<T>
    where T : unmanaged
{
    /// <summary>Rows of B per micro-tile (the column panel's strip).</summary>
    static abstract int ColStrip { get; }

    /// <summary>An 8 × <see cref="ColStrip"/> block of dot products (see <see cref="GramKernel"/>).</summary>
    static abstract void Multiply(T* a, T* b, int k, T* c, int ldc);

    /// <summary>
    /// (max, Σ exp(v − max)) in float64 over vⱼ = min(0, s·gⱼ + aⱼ + b) for j ≥ <paramref name="first"/>; entries
    /// before it (the diagonal and below) and padding (aⱼ = −∞) count as exp(−∞) = 0. Overwrites <paramref name="g"/>.
    /// Fused in registers because a pass per operation made this step cost more than the Gram itself.
    /// </summary>
    static abstract (double Max, double Sum) RowLogSumExp(Span<T> g, ReadOnlySpan<T> a, T s, T b, int first);
}

/// <summary>Float64 Gram and exponentials (<see cref="KernelPrecision.Double"/>).</summary>
internal readonly unsafe struct DoubleTiles : ITileKernel<double>
{
    public static int ColStrip => GramKernel.ColStrip;

    public static void Multiply(double* a, double* b, int k, double* c, int ldc) => GramKernel.Multiply(a, b, k, c, ldc);

    public static (double Max, double Sum) RowLogSumExp(Span<double> g, ReadOnlySpan<double> a, double s, double b, int first)
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

            var max = HorizontalMax<Vector256<double>, double>(vmax);
            var shift = Vector256.Create(max);
            var sum = Vector256<double>.Zero;
            for (var j = 0; j < g.Length; j += Vector256<double>.Count)
            {
                sum += Vector256.Exp(Vector256.Create(g[j..]) - shift);
            }

            return (max, Vector256.Sum(sum));
        }
    }

    private static double HorizontalMax(Vector512<double> lanes) => HorizontalMax<Vector512<double>, double>(lanes);

    /// <summary>The largest lane of a vector.</summary>
    internal static double HorizontalMax<TVector, TLane>(TVector lanes)
        where TVector : struct
        where TLane : struct, IConvertible
    {
        var max = double.NegativeInfinity;
        foreach (var lane in MemoryMarshal.Cast<TVector, TLane>(new ReadOnlySpan<TVector>(in lanes)))
        {
            max = Math.Max(max, lane.ToDouble(null));
        }

        return max;
    }
}

/// <summary>
/// Float32 Gram and exponentials, float64 sums of the exponentials (<see cref="KernelPrecision.Single"/>). The
/// exponential is computed here, not by <c>Vector512.Exp</c>, whose float32 form works in float64 internally and
/// would give back most of the kernel's gain: Cody–Waite reduction x = k·ln 2 + r, |r| ≤ ln 2 / 2, then e^r by its
/// Taylor polynomial of degree 7 (truncation ≤ 5e-9 relative, below float32's 6e-8 rounding) and 2^k from the
/// exponent bits; arguments below −87 (e^−87 ≈ 1.6e-38, the edge of normal float32) give 0, as does −∞.
/// </summary>
internal readonly unsafe struct SingleTiles : ITileKernel<float>
{
    private const float Log2E = 1.44269504f, Ln2High = 0.693145751953125f, Ln2Low = 1.42860677e-06f, Lowest = -87f;

    public static int ColStrip => GramKernel.SingleColStrip;

    public static void Multiply(float* a, float* b, int k, float* c, int ldc) => GramKernel.Multiply(a, b, k, c, ldc);

    public static (double Max, double Sum) RowLogSumExp(Span<float> g, ReadOnlySpan<float> a, float s, float b, int first)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            var scale = Vector512.Create(s);
            var offset = Vector512.Create(b);
            var vmax = Vector512.Create(float.NegativeInfinity);
            for (var j = 0; j < g.Length; j += Vector512<float>.Count)
            {
                var v = Vector512.Min(Vector512<float>.Zero, Vector512.FusedMultiplyAdd(Vector512.Create(g[j..]), scale, Vector512.Create(a[j..]) + offset));
                v.CopyTo(g[j..]);
            }

            g[..first].Fill(float.NegativeInfinity);
            for (var j = 0; j < g.Length; j += Vector512<float>.Count)
            {
                vmax = Vector512.Max(vmax, Vector512.Create(g[j..]));
            }

            var max = DoubleTiles.HorizontalMax<Vector512<float>, float>(vmax);
            var shift = Vector512.Create((float)max);
            Vector512<double> low = Vector512<double>.Zero, high = Vector512<double>.Zero;
            for (var j = 0; j < g.Length; j += Vector512<float>.Count)
            {
                var (l, h) = Vector512.Widen(Exp(Vector512.Create(g[j..]) - shift));
                low += l;
                high += h;
            }

            return (max, Vector512.Sum(low + high));
        }
        else
        {
            var scale = Vector256.Create(s);
            var offset = Vector256.Create(b);
            var vmax = Vector256.Create(float.NegativeInfinity);
            for (var j = 0; j < g.Length; j += Vector256<float>.Count)
            {
                var v = Vector256.Min(Vector256<float>.Zero, Vector256.FusedMultiplyAdd(Vector256.Create(g[j..]), scale, Vector256.Create(a[j..]) + offset));
                v.CopyTo(g[j..]);
            }

            g[..first].Fill(float.NegativeInfinity);
            for (var j = 0; j < g.Length; j += Vector256<float>.Count)
            {
                vmax = Vector256.Max(vmax, Vector256.Create(g[j..]));
            }

            var max = DoubleTiles.HorizontalMax<Vector256<float>, float>(vmax);
            var shift = Vector256.Create((float)max);
            Vector256<double> low = Vector256<double>.Zero, high = Vector256<double>.Zero;
            for (var j = 0; j < g.Length; j += Vector256<float>.Count)
            {
                var (l, h) = Vector256.Widen(Exp(Vector256.Create(g[j..]) - shift));
                low += l;
                high += h;
            }

            return (max, Vector256.Sum(low + high));
        }
    }

    /// <summary>e^x for x ≤ 0 (see the type's remarks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Exp(Vector512<float> x)
    {
        var tiny = Vector512.LessThan(x, Vector512.Create(Lowest));
        x = Vector512.Max(x, Vector512.Create(Lowest));
        var k = Vector512.Round(x * Log2E);
        var r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-Ln2Low), Vector512.FusedMultiplyAdd(k, Vector512.Create(-Ln2High), x));
        var p = Vector512.Create(1f / 5040);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1f / 720));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1f / 120));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1f / 24));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1f / 6));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(0.5f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<float>.One);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<float>.One);
        var twoK = Vector512.ShiftLeft(Vector512.ConvertToInt32(k) + Vector512.Create(127), 23).AsSingle();
        return Vector512.AndNot(p * twoK, tiny);
    }

    /// <inheritdoc cref="Exp(Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Exp(Vector256<float> x)
    {
        var tiny = Vector256.LessThan(x, Vector256.Create(Lowest));
        x = Vector256.Max(x, Vector256.Create(Lowest));
        var k = Vector256.Round(x * Log2E);
        var r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2Low), Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2High), x));
        var p = Vector256.Create(1f / 5040);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 720));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 120));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 24));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 6));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(0.5f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        var twoK = Vector256.ShiftLeft(Vector256.ConvertToInt32(k) + Vector256.Create(127), 23).AsSingle();
        return Vector256.AndNot(p * twoK, tiny);
    }
}
