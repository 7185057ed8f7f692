using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Hypersphere.Core.Metrics;

/// <summary>
/// Register-blocked micro-kernels for blocks of a Gram matrix in float64: C[8×16] = A·Bᵀ over
/// k, with A packed as [k][8] and B as [k][16] (see <see cref="PackedRows"/>). Float64 keeps
/// products of float32 inputs exact, so the metrics agree with a plain double implementation
/// to ~1e-15 instead of float32's ~1e-7. The float32 kernel (C[8×32], B as [k][32]) does twice the
/// products per instruction, for uniformity in <see cref="KernelPrecision.Single"/>.
/// </summary>
internal static unsafe class GramKernel
{
    /// <summary>Rows of A per micro-tile.</summary>
    public const int RowStrip = 8;

    /// <summary>Rows of B (columns of C) per micro-tile.</summary>
    public const int ColStrip = 16;

    /// <summary>Rows of B (columns of C) per float32 micro-tile.</summary>
    public const int SingleColStrip = 32;

    /// <summary>Writes the 8×32 block of float32 dot products into <paramref name="c"/> (row stride <paramref name="ldc"/>).</summary>
    public static void Multiply(float* a, float* b, int k, float* c, int ldc)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Multiply512(a, b, k, c, ldc);
        }
        else
        {
            for (var r = 0; r < RowStrip; r += 4)
            {
                Multiply256(a + r, b, k, c + (r * ldc), ldc);
                Multiply256(a + r, b + 16, k, c + (r * ldc) + 16, ldc);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Multiply512(float* a, float* b, int k, float* c, int ldc)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
        for (var p = 0; p < k; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var x = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(x, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(x, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(x, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(x, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
            a += RowStrip;
            b += SingleColStrip;
        }

        Store(c00, c01, c);
        Store(c10, c11, c + ldc);
        Store(c20, c21, c + (2 * ldc));
        Store(c30, c31, c + (3 * ldc));
        Store(c40, c41, c + (4 * ldc));
        Store(c50, c51, c + (5 * ldc));
        Store(c60, c61, c + (6 * ldc));
        Store(c70, c71, c + (7 * ldc));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector512<float> lo, Vector512<float> hi, float* row)
    {
        lo.Store(row);
        hi.Store(row + 16);
    }

    // 4 rows × 16 columns of float32 for machines without AVX-512.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Multiply256(float* a, float* b, int k, float* c, int ldc)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        for (var p = 0; p < k; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var x = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            a += RowStrip;
            b += SingleColStrip;
        }

        c00.Store(c);
        c01.Store(c + 8);
        c10.Store(c + ldc);
        c11.Store(c + ldc + 8);
        c20.Store(c + (2 * ldc));
        c21.Store(c + (2 * ldc) + 8);
        c30.Store(c + (3 * ldc));
        c31.Store(c + (3 * ldc) + 8);
    }

    /// <summary>Writes the 8×16 block of dot products into <paramref name="c"/> (row stride <paramref name="ldc"/>).</summary>
    public static void Multiply(double* a, double* b, int k, double* c, int ldc)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Multiply512(a, b, k, c, ldc);
        }
        else
        {
            for (var r = 0; r < RowStrip; r += 4)
            {
                Multiply256(a + r, b, k, c + (r * ldc), ldc);
                Multiply256(a + r, b + 8, k, c + (r * ldc) + 8, ldc);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Multiply512(double* a, double* b, int k, double* c, int ldc)
    {
        Vector512<double> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<double> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<double> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<double> c60 = default, c61 = default, c70 = default, c71 = default;
        for (var p = 0; p < k; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 8);
            var x = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(x, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(x, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(x, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(x, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
            a += RowStrip;
            b += ColStrip;
        }

        Store(c00, c01, c);
        Store(c10, c11, c + ldc);
        Store(c20, c21, c + (2 * ldc));
        Store(c30, c31, c + (3 * ldc));
        Store(c40, c41, c + (4 * ldc));
        Store(c50, c51, c + (5 * ldc));
        Store(c60, c61, c + (6 * ldc));
        Store(c70, c71, c + (7 * ldc));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector512<double> lo, Vector512<double> hi, double* row)
    {
        lo.Store(row);
        hi.Store(row + 8);
    }

    // 4 rows × 8 columns for machines without AVX-512 (8 accumulators fit AVX2's 16 registers).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Multiply256(double* a, double* b, int k, double* c, int ldc)
    {
        Vector256<double> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<double> c20 = default, c21 = default, c30 = default, c31 = default;
        for (var p = 0; p < k; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 4);
            var x = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            a += RowStrip;
            b += ColStrip;
        }

        c00.Store(c);
        c01.Store(c + 4);
        c10.Store(c + ldc);
        c11.Store(c + ldc + 4);
        c20.Store(c + (2 * ldc));
        c21.Store(c + (2 * ldc) + 4);
        c30.Store(c + (3 * ldc));
        c31.Store(c + (3 * ldc) + 4);
    }
}
