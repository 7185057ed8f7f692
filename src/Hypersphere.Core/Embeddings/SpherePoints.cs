namespace Hypersphere.Core.Embeddings;

/// <summary>Seeded random points on the unit sphere, for references, benchmarks and tests.</summary>
public static class SpherePoints
{
    /// <summary>
    /// <paramref name="n"/> points uniform on S^{d−1} (normalised standard normal vectors), row-major
    /// float32, reproducible for a given seed.
    /// </summary>
    public static float[] Uniform(int n, int dim, int seed)
    {
        var random = new Random(seed);
        var data = new float[n * dim];
        var row = new double[dim];
        for (var i = 0; i < n; i++)
        {
            var norm = 0.0;
            for (var k = 0; k < dim; k++)
            {
                row[k] = Gaussian(random);
                norm += row[k] * row[k];
            }

            var scale = 1 / Math.Sqrt(norm);
            for (var k = 0; k < dim; k++)
            {
                data[(i * dim) + k] = (float)(row[k] * scale);
            }
        }

        return data;
    }

    /// <summary>A standard normal sample (Box–Muller).</summary>
    public static double Gaussian(Random random)
    {
        var u = 1.0 - random.NextDouble();
        var v = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }
}
