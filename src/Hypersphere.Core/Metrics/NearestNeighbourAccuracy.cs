using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Errors;

namespace Hypersphere.Core.Metrics;

/// <summary>k-NN accuracies on one labelled set, leave-one-out.</summary>
/// <param name="K5">5-NN majority vote (ties go to the class with the larger summed similarity).</param>
/// <param name="K20Weighted">20-NN, each neighbour voting exp(s / 0.07) (Wu et al. 2018).</param>
public sealed record KnnAccuracy(double K5, double K20Weighted);

/// <summary>
/// Leave-one-out k-NN classification by cosine similarity on the submitted set itself: a quick
/// read of how well the geometry separates the labels, without training a probe.
/// </summary>
public static class NearestNeighbourAccuracy
{
    /// <summary>Temperature of the weighted vote.</summary>
    public const double Temperature = 0.07;

    private const int MajorityK = 5;
    private const int WeightedK = 20;

    /// <summary>
    /// Both accuracies, leave-one-out on one labelled set. With fewer than 21 rows, k is capped at
    /// N − 1. Uses the full (tiled) Gram: O(N²d) work, O(N·k) memory.
    /// </summary>
    public static KnnAccuracy Compute(EmbeddingMatrix x, IReadOnlyList<int> labels)
    {
        CheckLabels(x, labels, "labels");
        var k = Math.Min(WeightedK, x.Rows - 1);
        return Vote(Neighbours(x, x, k, excludeSelf: true), k, labels, labels);
    }

    /// <summary>
    /// Both accuracies of classifying <paramref name="queries"/> by their nearest
    /// <paramref name="references"/> (e.g. test embeddings against training embeddings).
    /// </summary>
    public static KnnAccuracy Compute(EmbeddingMatrix references, IReadOnlyList<int> referenceLabels, EmbeddingMatrix queries, IReadOnlyList<int> queryLabels)
    {
        CheckLabels(references, referenceLabels, "reference labels");
        CheckLabels(queries, queryLabels, "query labels");
        if (references.Dim != queries.Dim)
        {
            throw HypersphereException.Invalid($"queries must have the references' dimension {references.Dim}, but have {queries.Dim}");
        }

        var k = Math.Min(WeightedK, references.Rows);
        return Vote(Neighbours(queries, references, k, excludeSelf: false), k, referenceLabels, queryLabels);
    }

    private static void CheckLabels(EmbeddingMatrix x, IReadOnlyList<int> labels, string name)
    {
        if (labels.Count != x.Rows)
        {
            throw HypersphereException.Invalid($"{name} must have one entry per embedding ({x.Rows}), but had {labels.Count}");
        }
    }

    private static KnnAccuracy Vote((double Similarity, int Index)[] neighbours, int k, IReadOnlyList<int> referenceLabels, IReadOnlyList<int> queryLabels)
    {
        int majorityHits = 0, weightedHits = 0;
        var votes = new Dictionary<int, (int Count, double Similarity, double Weight)>();
        for (var i = 0; i < queryLabels.Count; i++)
        {
            votes.Clear();
            for (var n = 0; n < k; n++)
            {
                var (similarity, index) = neighbours[(i * k) + n];
                var label = referenceLabels[index];
                votes.TryGetValue(label, out var v);
                var inMajority = n < MajorityK;
                votes[label] = (
                    v.Count + (inMajority ? 1 : 0),
                    v.Similarity + (inMajority ? similarity : 0),
                    v.Weight + Math.Exp((similarity - 1) / Temperature));
            }

            var majority = votes.MaxBy(p => (p.Value.Count, p.Value.Similarity)).Key;
            var weighted = votes.MaxBy(p => p.Value.Weight).Key;
            majorityHits += majority == queryLabels[i] ? 1 : 0;
            weightedHits += weighted == queryLabels[i] ? 1 : 0;
        }

        return new KnnAccuracy((double)majorityHits / queryLabels.Count, (double)weightedHits / queryLabels.Count);
    }

    /// <summary>
    /// For each query its k most similar references, most similar first: (cosine, index), row-major
    /// queries×k. With <paramref name="excludeSelf"/> (queries and references the same set), a row is
    /// not its own neighbour.
    /// </summary>
    internal static (double Similarity, int Index)[] Neighbours(EmbeddingMatrix queries, EmbeddingMatrix references, int k, bool excludeSelf)
    {
        var n = queries.Rows;
        var m = references.Rows;
        var best = new (double Similarity, int Index)[n * k];
        Array.Fill(best, (double.NegativeInfinity, -1));
        var rows = new PackedRows(queries.Values, n, queries.Dim);
        var cols = ReferenceEquals(queries, references) ? rows : new PackedRows(references.Values, m, references.Dim);
        PairwiseTiles.Run(
            rows,
            cols,
            TileSet.Full,
            () => 0,
            (_, rowBlock, colBlock, tile) =>
            {
                const int block = PackedRows.Block;
                var i0 = rowBlock * block;
                var j0 = colBlock * block;
                var width = Math.Min(block, m - j0);
                for (var r = 0; r < Math.Min(block, n - i0); r++)
                {
                    var i = i0 + r;
                    var top = best.AsSpan(i * k, k);
                    for (var c = 0; c < width; c++)
                    {
                        var s = tile[(r * block) + c];
                        if (s > top[k - 1].Similarity && !(excludeSelf && j0 + c == i))
                        {
                            Insert(top, (s, j0 + c));
                        }
                    }
                }
            });
        return best;
    }

    private static void Insert(Span<(double Similarity, int Index)> top, (double Similarity, int Index) item)
    {
        var p = top.Length - 1;
        while (p > 0 && top[p - 1].Similarity < item.Similarity)
        {
            top[p] = top[p - 1];
            p--;
        }

        top[p] = item;
    }
}
