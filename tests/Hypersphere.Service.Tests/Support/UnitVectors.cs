using System.Numerics.Tensors;

namespace Hypersphere.Service.Tests.Support;

/// <summary>Seeded random unit vectors, row-major float32, for requests of embeddings.</summary>
internal static class UnitVectors
{
    public static float[] Rows(int n, int d, int seed)
    {
        var random = new Random(seed);
        var x = new float[n * d];
        for (var i = 0; i < n; i++)
        {
            var row = x.AsSpan(i * d, d);
            for (var k = 0; k < d; k++)
            {
                row[k] = (float)(random.NextDouble() - 0.5);
            }

            TensorPrimitives.Divide(row, MathF.Sqrt(TensorPrimitives.SumOfSquares<float>(row)), row);
        }

        return x;
    }
}
