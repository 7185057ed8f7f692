using System.Text.Json;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Metrics;
using Hypersphere.Core.Quality;

namespace Hypersphere.Core.Tests;

/// <summary>QualityAnalyzer's report and its one JSON shape (snake_case, nulls written out).</summary>
public class QualityReportTests
{
    private static readonly string[] TopLevelFields =
    [
        "n", "dim", "alpha", "t", "alignment", "uniformity", "uniformity_positives", "uniformity_mean",
        "reference", "rank_me", "mean_cosine", "std_sqrt_d", "knn_accuracy", "verdict", "warnings",
    ];

    [Fact]
    public void JsonWithoutPositivesOrLabelsWritesTheirFieldsAsNull()
    {
        using var json = JsonDocument.Parse(QualityJson.Serialize(QualityAnalyzer.Analyze(TestMatrices.Uniform(30, 5, seed: 1))));
        var root = json.RootElement;
        foreach (var field in TopLevelFields)
        {
            Assert.True(root.TryGetProperty(field, out _), $"missing field '{field}' in {root}");
        }

        foreach (var field in new[] { "alignment", "uniformity_positives", "uniformity_mean", "knn_accuracy" })
        {
            Assert.Equal(JsonValueKind.Null, root.GetProperty(field).ValueKind);
        }

        Assert.Equal(JsonValueKind.Number, root.GetProperty("uniformity").ValueKind);
        Assert.Equal(JsonValueKind.Array, root.GetProperty("warnings").ValueKind);
        AssertSnakeCase(root);
    }

    [Fact]
    public void JsonOfOrthonormalBasisHasHandComputedValues()
    {
        // Rows e₁, e₂, e₃ of R³ with themselves as positives and three distinct labels, t = 2, α = 2.
        double[] identity = [1, 0, 0, 0, 1, 0, 0, 0, 1];
        var x = EmbeddingMatrix.Create(identity, 3, 3, normalize: false);
        var report = QualityAnalyzer.Analyze(x, x, [0, 1, 2]);
        using var json = JsonDocument.Parse(QualityJson.Serialize(report));
        var root = json.RootElement;

        Assert.Equal(3, root.GetProperty("n").GetInt32());
        Assert.Equal(3, root.GetProperty("dim").GetInt32());
        Assert.Equal(0.0, root.GetProperty("alignment").GetDouble());
        Assert.Equal(-4.0, root.GetProperty("uniformity").GetDouble(), 12);             // every pair at ‖·‖² = 2
        Assert.Equal(-4.0, root.GetProperty("uniformity_positives").GetDouble(), 12);
        Assert.Equal(-4.0, root.GetProperty("uniformity_mean").GetDouble(), 12);
        var reference = root.GetProperty("reference");
        Assert.Equal(-6.0, reference.GetProperty("finite_n_bound").GetDouble(), 12);   // −2·2·3/2
        Assert.Equal(-2.079777, reference.GetProperty("uniform_optimum").GetDouble(), 6); // docs/architecture.md §1, d = 3
        Assert.Equal(3.0, root.GetProperty("rank_me").GetDouble(), 4);
        Assert.Equal(0.0, root.GetProperty("mean_cosine").GetDouble(), 15);
        Assert.Equal(1.0, root.GetProperty("std_sqrt_d").GetDouble(), 12);             // column std √(1/3), × √3
        var knn = root.GetProperty("knn_accuracy");
        Assert.Equal(0.0, knn.GetProperty("k5").GetDouble());                          // every neighbour has another label
        Assert.Equal(0.0, knn.GetProperty("k20_weighted").GetDouble());
        Assert.Equal("healthy", root.GetProperty("verdict").GetProperty("status").GetString());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("verdict").GetProperty("reason").GetString()));
        AssertSnakeCase(root);
    }

    [Fact]
    public void UniformityMeanAveragesTheTwoViews()
    {
        const int n = 140, dim = 6;
        var x = TestMatrices.UnitRows(n, dim, seed: 1);
        var y = TestMatrices.NoisyCopies(x, dim, 0.8, seed: 2);
        var report = QualityAnalyzer.Analyze(
            EmbeddingMatrix.Create(x, n, dim, normalize: false),
            EmbeddingMatrix.Create(y, n, dim, normalize: false),
            options: new QualityOptions(Alpha: 1, T: 3));
        var ux = ReferenceMetrics.Uniformity(x, n, dim, 3);
        var uy = ReferenceMetrics.Uniformity(y, n, dim, 3);
        TestMatrices.AssertClose(ux, report.Uniformity, 1e-9);
        TestMatrices.AssertClose(uy, report.UniformityPositives!.Value, 1e-9);
        TestMatrices.AssertClose((ux + uy) / 2, report.UniformityMean!.Value, 1e-9);
        TestMatrices.AssertClose(ReferenceMetrics.Alignment(x, y, n, dim, 1), report.Alignment!.Value, 1e-9);
        Assert.Equal((1.0, 3.0), (report.Alpha, report.T));
    }

    [Fact]
    public void WarningsNameSmallSamplesFewRowsAndFewNeighboursAndKeepTheCallers()
    {
        var x = TestMatrices.Uniform(12, 40, seed: 3);
        var report = QualityAnalyzer.Analyze(x, labels: Enumerable.Range(0, 12).Select(i => i % 2).ToArray(), warnings: ["caller note"]);
        Assert.Equal("caller note", report.Warnings[0]);
        Assert.Contains(report.Warnings, w => w.Contains("only 12 rows (66 pairs)", StringComparison.Ordinal));
        Assert.Contains(report.Warnings, w => w.Contains("fewer rows (12) than dimensions (40)", StringComparison.Ordinal));
        Assert.Contains(report.Warnings, w => w.Contains("at most 11 neighbours", StringComparison.Ordinal));
    }

    [Fact]
    public void LargeWellShapedInputHasNoWarnings()
    {
        var report = QualityAnalyzer.Analyze(TestMatrices.Uniform(150, 8, seed: 4), labels: new int[150]);
        Assert.Empty(report.Warnings);
        Assert.Equal(1.0, report.KnnAccuracy!.K5);
    }

    private static void AssertSnakeCase(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var property in element.EnumerateObject())
        {
            Assert.Matches("^[a-z][a-z0-9_]*$", property.Name);
            AssertSnakeCase(property.Value);
        }
    }
}
