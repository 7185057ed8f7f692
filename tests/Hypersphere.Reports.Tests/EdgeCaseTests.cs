using Hypersphere.Core.Metrics;
using Hypersphere.Core.Quality;

namespace Hypersphere.Reports.Tests;

/// <summary>The smallest inputs and the extreme parameters Core accepts still give a valid report.</summary>
public sealed class EdgeCaseTests
{
    [Theory]
    [InlineData(2, 1, 2, 2)]
    [InlineData(3, 2, 2, 2)]
    [InlineData(5, 3, 1e-6, 0.001)]
    [InlineData(40, 8, Uniformity.MaxT, Alignment.MaxAlpha)]
    [InlineData(40, 8, 1e-300, 1e-300)]
    public void ExtremeInputsGiveAValidReport(int n, int dim, double t, double alpha)
    {
        var random = new Random(n + dim);
        var xv = Data.UnitRows(n, dim, random);
        var x = Data.Matrix(xv, dim);
        var y = Data.Matrix(Data.Noisy(xv, dim, 0.3, random), dim);
        var labels = Enumerable.Range(0, n).Select(i => (i % 2).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var report = QualityAnalyzer.Analyze(x, y, LabelSet.ToIds(labels), new QualityOptions(alpha, t));
        var document = AuditReport.Build(new AuditInput(x, y, labels, report));
        System.Xml.Linq.XElement.Parse(document.Fragment);
        foreach (var figure in document.Figures)
        {
            Data.AssertDrawnSvg(figure.Svg);
        }
    }

    [Fact]
    public void ManyClassesOnTheCircleAreOneCurve()
    {
        var random = new Random(9);
        var x = Data.Matrix(Data.UnitRows(12_000, 2, random), 2);
        var labels = Enumerable.Range(0, 12_000).Select(i => "c" + (i % 25)).ToArray();
        var figure = ReportFigures.CircleDensity(x, labels);
        Assert.Contains("25 classes are too many for one curve each", figure.Caption, StringComparison.Ordinal);
        Assert.Contains("3000 of 12000, seeded sample", figure.Caption, StringComparison.Ordinal);
        var text = Data.SvgText(Data.AssertDrawnSvg(figure.Svg));
        Assert.Contains("all points (n = 12000)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("c24", text, StringComparison.Ordinal);
    }

    [Fact]
    public void CollapsedEmbeddingsDrawTheirSpike()
    {
        // Every row the same direction (up to tiny noise): cosines all near 1, RankMe near 1.
        var random = new Random(3);
        var xv = Data.Noisy(Enumerable.Range(0, 200).SelectMany(_ => new[] { 1.0, 0, 0, 0 }).ToArray(), 4, 1e-4, random);
        var x = Data.Matrix(xv, 4);
        var document = AuditReport.Build(new AuditInput(x, null, null, QualityAnalyzer.Analyze(x)));
        Assert.Equal("collapsed", document.Report.Verdict.Status);
        Assert.All(document.Figures, f => Data.AssertDrawnSvg(f.Svg));
    }
}
