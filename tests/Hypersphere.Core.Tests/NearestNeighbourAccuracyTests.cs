using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Metrics;

namespace Hypersphere.Core.Tests;

/// <summary>Leave-one-out cosine k-NN on hand-built sets with known answers and against brute force.</summary>
public class NearestNeighbourAccuracyTests
{
    [Fact]
    public void ClustersAroundOrthogonalDirectionsAreClassifiedPerfectly()
    {
        // 4 classes × 12 points, each near its own basis vector of R^8.
        const int classes = 4, perClass = 12, dim = 8;
        var anchors = new double[classes * perClass * dim];
        var labels = new int[classes * perClass];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = i % classes;
            anchors[(i * dim) + labels[i]] = 1;
        }

        var values = TestMatrices.NoisyCopies(anchors, dim, 0.1, seed: 1);
        var knn = NearestNeighbourAccuracy.Compute(EmbeddingMatrix.Create(values, labels.Length, dim, normalize: false), labels);
        Assert.Equal(1.0, knn.K5);
        Assert.Equal(1.0, knn.K20Weighted);
    }

    [Fact]
    public void IntruderAndSmallClusterAreOutvotedByMajorityButNotAllByWeightedVote()
    {
        // Class 0 at 0°, 2°, …, 10°; class 1 at 100°, 102°, 104° plus an intruder at 5°.
        // Intruder: its 5 nearest are class 0 → wrong in both votes. Class 1 cluster: 2 own
        // neighbours at cosine ≈ 1 and 3 class-0 ones at cosine ≈ 0 → majority wrong, weighted right.
        double[] degrees = [0, 2, 4, 6, 8, 10, 5, 100, 102, 104];
        int[] labels = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1];
        var knn = NearestNeighbourAccuracy.Compute(EmbeddingMatrix.Create(TestMatrices.OnCircle(degrees), 10, 2, normalize: false), labels);
        Assert.Equal(6.0 / 10, knn.K5, 15);
        Assert.Equal(9.0 / 10, knn.K20Weighted, 15);
    }

    [Fact]
    public void MajorityTieGoesToTheClassWithLargerSummedSimilarity()
    {
        // Point 0 (class B, 0°) has B at 10° and 20°, C at −5° (its nearest) and −40°, D at 180°:
        // 2–2–1, and B's summed cosine 1.925 beats C's 1.762, so it is classified B (correct).
        // Points 1 and 2 (B) win their 2–2 ties too; 3, 4 (C) and 5 (D) see three B's → wrong.
        // Weighted: point 4 (−40°) has C at 35° weighing more than B at 40°, 50°, 60°.
        double[] degrees = [0, 10, 20, -5, -40, 180];
        int[] labels = [1, 1, 1, 2, 2, 3];
        var knn = NearestNeighbourAccuracy.Compute(EmbeddingMatrix.Create(TestMatrices.OnCircle(degrees, dim: 3), 6, 3, normalize: false), labels);
        Assert.Equal(3.0 / 6, knn.K5, 15);
        Assert.Equal(4.0 / 6, knn.K20Weighted, 15);
    }

    [Theory]
    [InlineData(2, 3, 2)]
    [InlineData(6, 4, 3)]
    [InlineData(21, 5, 3)]
    [InlineData(130, 16, 5)]
    [InlineData(300, 7, 4)]
    public void AccuraciesMatchBruteForceOnRandomDataAndLabels(int n, int dim, int classes)
    {
        var values = TestMatrices.UnitRows(n, dim, seed: n * 31);
        var random = new Random(n);
        var labels = Enumerable.Range(0, n).Select(_ => random.Next(classes)).ToArray();
        var (k5, k20) = ReferenceMetrics.Knn(values, n, dim, labels);
        var knn = NearestNeighbourAccuracy.Compute(EmbeddingMatrix.Create(values, n, dim, normalize: false), labels);
        Assert.Equal(k5, knn.K5, 15);
        Assert.Equal(k20, knn.K20Weighted, 15);
    }

    [Fact]
    public void AccuraciesMatchBruteForceOnNoisyClustersAcrossTiles()
    {
        // Clustered data gives accuracies well inside (0, 1), so a wrong neighbour list shows.
        const int n = 260, dim = 12, classes = 6;
        var random = new Random(77);
        var centres = TestMatrices.UnitRows(classes, dim, seed: 5);
        var labels = Enumerable.Range(0, n).Select(_ => random.Next(classes)).ToArray();
        var anchors = labels.SelectMany(l => centres.AsSpan(l * dim, dim).ToArray()).ToArray();
        var values = TestMatrices.NoisyCopies(anchors, dim, 0.35, seed: 6);
        var (k5, k20) = ReferenceMetrics.Knn(values, n, dim, labels);
        Assert.InRange(k5, 0.2, 0.99);
        var knn = NearestNeighbourAccuracy.Compute(EmbeddingMatrix.Create(values, n, dim, normalize: false), labels);
        Assert.Equal(k5, knn.K5, 15);
        Assert.Equal(k20, knn.K20Weighted, 15);
    }

    [Fact]
    public void NeighboursAreTheMostSimilarOtherRowsInOrder()
    {
        const int n = 140, dim = 5, k = 20;
        var values = TestMatrices.UnitRows(n, dim, seed: 9);
        var x = EmbeddingMatrix.Create(values, n, dim, normalize: false);
        var best = NearestNeighbourAccuracy.Neighbours(x, x, k, excludeSelf: true);
        foreach (var i in new[] { 0, 1, 127, 128, 139 })
        {
            var expected = Enumerable.Range(0, n).Where(j => j != i)
                .OrderByDescending(j => TestMatrices.Dot(values.AsSpan(i * dim, dim), values.AsSpan(j * dim, dim)))
                .Take(k).ToArray();
            Assert.Equal(expected, best.Skip(i * k).Take(k).Select(b => b.Index).ToArray());
        }
    }

    [Theory]
    [InlineData(300, 140, 9, 4)]
    [InlineData(3, 129, 5, 2)]
    [InlineData(25, 7, 16, 3)]
    public void QueryAccuraciesAgainstReferencesMatchBruteForce(int m, int n, int dim, int classes)
    {
        // Queries are noisy copies of references, so accuracies sit well inside (0, 1).
        var random = new Random(m + n);
        var references = TestMatrices.UnitRows(m, dim, seed: m);
        var referenceLabels = Enumerable.Range(0, m).Select(_ => random.Next(classes)).ToArray();
        var picks = Enumerable.Range(0, n).Select(_ => random.Next(m)).ToArray();
        var queries = TestMatrices.NoisyCopies(picks.SelectMany(p => references.AsSpan(p * dim, dim).ToArray()).ToArray(), dim, 0.3, seed: n);
        var queryLabels = picks.Select(p => random.NextDouble() < 0.8 ? referenceLabels[p] : random.Next(classes)).ToArray();

        var (k5, k20) = ReferenceMetrics.Knn(references, m, referenceLabels, queries, n, queryLabels, dim, leaveOneOut: false);
        var knn = NearestNeighbourAccuracy.Compute(
            EmbeddingMatrix.Create(references, m, dim, normalize: false), referenceLabels,
            EmbeddingMatrix.Create(queries, n, dim, normalize: false), queryLabels);
        Assert.Equal(k5, knn.K5, 15);
        Assert.Equal(k20, knn.K20Weighted, 15);
    }

    [Fact]
    public void QueriesEqualToLabelledReferencesAreClassifiedByThoseReferences()
    {
        // Each query is exactly one reference (a separate matrix, so it is not excluded as "self"):
        // its nearest neighbour is that reference at cosine 1, and the rest are far away.
        double[] degrees = [0, 90, 180, 270];
        var references = EmbeddingMatrix.Create(TestMatrices.OnCircle(degrees), 4, 2, normalize: false);
        var queries = EmbeddingMatrix.Create(TestMatrices.OnCircle([90, 270, 0]), 3, 2, normalize: false);
        var knn = NearestNeighbourAccuracy.Compute(references, [0, 1, 2, 3], queries, [1, 3, 2]);

        // 4 references, one per label: the majority vote is a 1–1–1–1 tie won by the largest similarity.
        Assert.Equal(2.0 / 3, knn.K5, 15);
        Assert.Equal(2.0 / 3, knn.K20Weighted, 15);
    }

    [Fact]
    public void QueryAndReferenceShapesAndLabelsAreChecked()
    {
        var references = TestMatrices.Uniform(6, 3, seed: 1);
        var queries = TestMatrices.Uniform(4, 3, seed: 2);
        var wide = TestMatrices.Uniform(4, 5, seed: 3);
        var error = Assert.Throws<Errors.HypersphereException>(() => NearestNeighbourAccuracy.Compute(references, [0, 1, 0], queries, [0, 1, 0, 1]));
        Assert.Contains("reference labels must have one entry per embedding (6), but had 3", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<Errors.HypersphereException>(() => NearestNeighbourAccuracy.Compute(references, [0, 1, 0, 1, 0, 1], queries, [0]));
        Assert.Contains("query labels must have one entry per embedding (4), but had 1", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<Errors.HypersphereException>(() => NearestNeighbourAccuracy.Compute(references, [0, 1, 0, 1, 0, 1], wide, [0, 1, 0, 1]));
        Assert.Equal(Errors.ErrorKind.InvalidInput, error.Kind);
        Assert.Contains("dimension 3, but have 5", error.Message, StringComparison.Ordinal);
    }
}
