using Hypersphere.Core.Embeddings;

namespace Hypersphere.Core.Tests;

/// <summary>
/// Seeded test inputs, generated here rather than with <see cref="SpherePoints"/> so that the
/// metrics are checked on data the code under test did not produce.
/// </summary>
internal static class TestMatrices
{
    /// <summary>N rows uniform on S^{d−1}, row-major float64 (normalised Gaussians via Marsaglia's polar method).</summary>
    public static double[] UnitRows(int n, int dim, int seed)
    {
        var random = new Random(seed);
        var values = new double[n * dim];
        for (var i = 0; i < n; i++)
        {
            var row = values.AsSpan(i * dim, dim);
            double norm;
            do
            {
                for (var k = 0; k < dim; k++)
                {
                    row[k] = Gaussian(random);
                }

                norm = Math.Sqrt(Dot(row, row));
            }
            while (norm < 1e-6);

            for (var k = 0; k < dim; k++)
            {
                row[k] /= norm;
            }
        }

        return values;
    }

    /// <summary>Unit rows y with yᵢ = normalise(xᵢ + noise·gᵢ): positives near their anchors.</summary>
    public static double[] NoisyCopies(double[] x, int dim, double noise, int seed)
    {
        var random = new Random(seed);
        var y = new double[x.Length];
        for (var i = 0; i < x.Length / dim; i++)
        {
            var row = y.AsSpan(i * dim, dim);
            for (var k = 0; k < dim; k++)
            {
                row[k] = x[(i * dim) + k] + (noise * Gaussian(random));
            }

            var norm = Math.Sqrt(Dot(row, row));
            for (var k = 0; k < dim; k++)
            {
                row[k] /= norm;
            }
        }

        return y;
    }

    /// <summary>A validated matrix of <see cref="UnitRows"/>.</summary>
    public static EmbeddingMatrix Uniform(int n, int dim, int seed) =>
        EmbeddingMatrix.Create(UnitRows(n, dim, seed), n, dim, normalize: false);

    /// <summary>Points at the given angles (degrees) on the unit circle in the plane of the first two axes of R^dim.</summary>
    public static double[] OnCircle(IReadOnlyList<double> degrees, int dim = 2)
    {
        var values = new double[degrees.Count * dim];
        for (var i = 0; i < degrees.Count; i++)
        {
            var radians = degrees[i] * Math.PI / 180;
            values[i * dim] = Math.Cos(radians);
            values[(i * dim) + 1] = Math.Sin(radians);
        }

        return values;
    }

    /// <summary>Vertices of a regular simplex: eᵢ − centroid, normalised, as N points in R^N.</summary>
    public static double[] RegularSimplex(int n)
    {
        var scale = 1 / Math.Sqrt((n - 1.0) / n);
        var values = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < n; k++)
            {
                values[(i * n) + k] = ((i == k ? 1.0 : 0.0) - (1.0 / n)) * scale;
            }
        }

        return values;
    }

    /// <summary>A standard normal sample (Marsaglia's polar method, unlike the code's Box–Muller).</summary>
    public static double Gaussian(Random random)
    {
        while (true)
        {
            var u = (2 * random.NextDouble()) - 1;
            var v = (2 * random.NextDouble()) - 1;
            var s = (u * u) + (v * v);
            if (s > 0 && s < 1)
            {
                return u * Math.Sqrt(-2 * Math.Log(s) / s);
            }
        }
    }

    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var sum = 0.0;
        for (var k = 0; k < a.Length; k++)
        {
            sum += a[k] * b[k];
        }

        return sum;
    }

    /// <summary>|actual − expected| ≤ relative·|expected| + absolute, with both numbers in the message.</summary>
    public static void AssertClose(double expected, double actual, double relative, double absolute = 0, string? what = null)
    {
        var error = Math.Abs(actual - expected);
        Assert.True(
            error <= (relative * Math.Abs(expected)) + absolute,
            $"{what ?? "value"}: expected {expected:R}, got {actual:R} (error {error:E3})");
    }
}
