using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Quality;

namespace Hypersphere.Core.Tests;

/// <summary>The collapse verdict on healthy, dimensionally collapsed and collapsed embeddings.</summary>
public class CollapseVerdictTests
{
    [Fact]
    public void UniformRandomPointsAreHealthy()
    {
        var report = QualityAnalyzer.Analyze(TestMatrices.Uniform(400, 32, seed: 1));
        Assert.Equal("healthy", report.Verdict.Status);
    }

    [Fact]
    public void PointsInATwoDimensionalSubspaceOfR128AreDimensionalCollapse()
    {
        var report = QualityAnalyzer.Analyze(CircleIn(dim: 128, n: 300));
        Assert.Equal("dimensional_collapse", report.Verdict.Status);
        Assert.Contains("RankMe", report.Verdict.Reason, StringComparison.Ordinal);
        Assert.InRange(report.RankMe, 1.5, 2.01);
    }

    [Fact]
    public void IdenticalPointsAreCollapsedWithZeroUniformity()
    {
        var row = TestMatrices.UnitRows(1, 16, seed: 2);
        var x = EmbeddingMatrix.Create(Enumerable.Repeat(row, 50).SelectMany(r => r).ToArray(), 50, 16, normalize: false);
        var report = QualityAnalyzer.Analyze(x);
        Assert.Equal("collapsed", report.Verdict.Status);
        Assert.InRange(report.Uniformity, -1e-12, 1e-12);
        Assert.Contains("mean pairwise cosine 1.000", report.Verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void PointsSpreadOnACircleInR512AreDimensionalCollapseNotCollapsed()
    {
        // For points spread evenly in a k-dimensional subspace std·√d ≈ √(k/d): with k = 2, d = 512 it is
        // 0.0625 < 0.1, yet the rows do not "nearly coincide": their mean cosine is ≈ 0 and they are as
        // spread as a circle allows. The verdict must not read std·√d as collapse.
        var report = QualityAnalyzer.Analyze(CircleIn(dim: 512, n: 300));
        Assert.InRange(report.MeanCosine, -0.05, 0.05);
        Assert.Equal("dimensional_collapse", report.Verdict.Status);
    }

    [Theory]
    [InlineData(0.95, 1.0, 100.0, "collapsed")]
    [InlineData(0.0, 0.05, 100.0, "healthy")] // low std·√d alone is not collapse: a circle in R^512 has 0.0625
    [InlineData(0.0, 1.0, 12.7, "dimensional_collapse")]
    [InlineData(0.0, 1.0, 12.9, "healthy")]
    [InlineData(0.89, 0.11, 100.0, "healthy")]
    public void JudgeAppliesTheDocumentedThresholds(double meanCosine, double std, double rankMe, string expected)
    {
        // N = 1000, d = 128: dimensional collapse below a tenth of 128 = 12.8.
        Assert.Equal(expected, CollapseVerdict.Judge(1000, 128, meanCosine, std, rankMe, -3.9, -3.94).Status);
    }

    [Fact]
    public void JudgeNeedsAtLeastOneAndAHalfDirectionsForTinyBatches()
    {
        Assert.Equal("dimensional_collapse", CollapseVerdict.Judge(2, 2, 0, 1, 1.4, -4, -3).Status);
        Assert.Equal("healthy", CollapseVerdict.Judge(2, 2, 0, 1, 1.6, -4, -3).Status);
    }

    private static EmbeddingMatrix CircleIn(int dim, int n)
    {
        var random = new Random(dim);
        var degrees = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 360).ToArray();
        return EmbeddingMatrix.Create(TestMatrices.OnCircle(degrees, dim), n, dim, normalize: false);
    }
}
