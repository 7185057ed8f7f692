using Hypersphere.Core.Embeddings;
using Hypersphere.Core.IO;
using Hypersphere.Core.Metrics;

namespace Hypersphere.Core.Comparison;

/// <summary>
/// Mutual k-NN overlap (Huh et al., ICML 2024): for each input, the fraction of its k nearest neighbours (cosine,
/// itself excluded) that the two representations share, averaged over the inputs. 1 when both rank every input's
/// neighbourhood alike; about k/(N − 1) for unrelated representations.
/// </summary>
public static class MutualNeighbours
{
    /// <summary>The mean overlap |N_A(i) ∩ N_B(i)| / k; k must be below the row count.</summary>
    public static double Overlap(MatrixData a, MatrixData b, int k)
    {
        Cka.CheckPair(a, b);
        if (k < 1 || k >= a.Rows)
        {
            throw Errors.HypersphereException.Invalid($"k must be between 1 and the rows − 1 ({a.Rows - 1}), but was {k}");
        }

        var na = Neighbours(a, k, "A");
        var nb = Neighbours(b, k, "B");
        var shared = 0L;
        var set = new HashSet<int>(k);
        for (var i = 0; i < a.Rows; i++)
        {
            set.Clear();
            for (var j = 0; j < k; j++)
            {
                set.Add(na[(i * k) + j].Index);
            }

            for (var j = 0; j < k; j++)
            {
                shared += set.Contains(nb[(i * k) + j].Index) ? 1 : 0;
            }
        }

        return (double)shared / ((long)a.Rows * k);
    }

    private static (double Similarity, int Index)[] Neighbours(MatrixData m, int k, string name)
    {
        var rows = EmbeddingMatrix.Create(m.Values, m.Rows, m.Cols, normalize: true, name);
        return NearestNeighbourAccuracy.Neighbours(rows, rows, k, excludeSelf: true);
    }
}
