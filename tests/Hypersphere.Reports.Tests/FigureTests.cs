using System.Globalization;
using Hypersphere.Core.Metrics;

namespace Hypersphere.Reports.Tests;

/// <summary>Each figure is valid SVG with drawn paths, a PNG, and user text escaped.</summary>
public sealed class FigureTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void ThePlaneEscapesLabelsAndNamesTheReferences()
    {
        var figure = ReportFigures.AlignmentUniformityPlane(
            [new PlanePoint(Data.Hostile, -3.7, 0.37, 0.83), new PlanePoint("b", -3.2, 0.14, null), new PlanePoint("c", -3.0, 0.18, 0.79)],
            dim: 128, t: 2, n: 10_000, accuracyName: "accuracy " + Data.Hostile);
        var svg = Data.AssertDrawnSvg(figure.Svg);
        Assert.DoesNotContain("<script", figure.Svg, StringComparison.OrdinalIgnoreCase);
        var text = Data.SvgText(svg);
        Assert.Contains(Data.Hostile, text, StringComparison.Ordinal);
        Assert.Contains("lower is better", text, StringComparison.Ordinal);
        var optimum = UniformityReference.UniformOptimum(128, 2).ToString("F4", CultureInfo.InvariantCulture);
        var bound = UniformityReference.FiniteNBound(10_000, 2).ToString("F4", CultureInfo.InvariantCulture);
        Assert.Contains(optimum, text, StringComparison.Ordinal);
        Assert.Contains(bound, text, StringComparison.Ordinal);
        Assert.Equal(PlaneId, figure.Id);
        Assert.Equal(PngSignature, figure.Png()[..8]);
    }

    private const string PlaneId = ReportFigures.PlaneId;

    [Fact]
    public void AFigureEmbedsAsOneFigureElement()
    {
        var figure = ReportFigures.AlignmentUniformityPlane([new PlanePoint(Data.Hostile, -3, 0.2, 0.5)], 16, 2, 50);
        var element = System.Xml.Linq.XElement.Parse(figure.ToHtml());
        Assert.Equal("figure", element.Name.LocalName);
        Assert.Equal(ReportFigures.PlaneId, (string?)element.Attribute("data-figure"));
        var svg = Assert.Single(element.Elements(), e => e.Name.LocalName == "svg");
        Assert.Equal("0 0 640 480", (string?)svg.Attribute("viewBox"));
        Assert.All(svg.Descendants().Select(e => (string?)e.Attribute("id")).OfType<string>(), id => Assert.StartsWith("hs-" + ReportFigures.PlaneId + "-", id, StringComparison.Ordinal));
        Assert.DoesNotContain("<?xml", figure.InlineSvg, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", figure.ToHtml(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains(Data.Hostile, Data.SvgText(new System.Xml.Linq.XDocument(svg)), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryInternalReferenceResolvesAndIsTheSameEachTime()
    {
        // The colour bar is an image drawn through <use xlink:href="#…">; clip paths are url(#…).
        PlanePoint[] points = [new("a", -3.5, 0.3, 0.8), new("b", -3.1, 0.2, 0.9)];
        var figure = ReportFigures.AlignmentUniformityPlane(points, 32, 2, null);
        Assert.Contains("<image", figure.Svg, StringComparison.Ordinal);
        foreach (var svg in new[] { figure.Svg, figure.InlineSvg })
        {
            var ids = System.Text.RegularExpressions.Regex.Matches(svg, " id=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
            Assert.Equal(ids.Count, ids.Distinct().Count());
            var references = System.Text.RegularExpressions.Regex.Matches(svg, "(?:url\\(#([^)]+)\\))|(?:href=\"#([^\"]+)\")")
                .Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).ToList();
            Assert.Contains(references, r => svg.Contains("href=\"#" + r, StringComparison.Ordinal));
            Assert.All(references, r => Assert.Contains(r, ids));
        }

        Assert.Equal(figure.Svg, ReportFigures.AlignmentUniformityPlane(points, 32, 2, null).Svg);
    }

    [Fact]
    public void ControlCharactersInLabelsStillGiveValidSvg()
    {
        var figure = ReportFigures.AlignmentUniformityPlane([new PlanePoint("a\u0001b\u0000c\ud800", -3, 0.2, null)], 16, 2, null);
        Data.AssertDrawnSvg(figure.Svg);
    }

    [Fact]
    public void TextIsDrawnIntoThePng()
    {
        Assert.NotNull(ReportFigures.FontFamily);

        // Two plots that differ only in the letters of their title: identical PNGs would mean no font was found.
        var a = ReportFigures.AlignmentUniformityPlane([new PlanePoint("AAAA", -3, 0.2, null)], 16, 2, null).Png(320, 240);
        var b = ReportFigures.AlignmentUniformityPlane([new PlanePoint("BBBB", -3, 0.2, null)], 16, 2, null).Png(320, 240);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void TheCosineFigureSaysWhatItSampledAndIsSeeded()
    {
        var x = Data.Matrix(Data.UnitRows(800, 16, new Random(3)), 16);
        var sampled = ReportFigures.CosineHistogram(x, new ReportOptions(MaxCosinePairs: 10_000, Seed: 4));
        Assert.Contains("Sampled 10000 of 319600 pairs", sampled.Caption, StringComparison.Ordinal);
        Data.AssertDrawnSvg(sampled.Svg);
        Assert.Equal(sampled.Svg, ReportFigures.CosineHistogram(x, new ReportOptions(MaxCosinePairs: 10_000, Seed: 4)).Svg);
        Assert.NotEqual(sampled.Svg, ReportFigures.CosineHistogram(x, new ReportOptions(MaxCosinePairs: 10_000, Seed: 5)).Svg);
        Assert.Contains("All 319600 pairs", ReportFigures.CosineHistogram(x, new ReportOptions(MaxCosinePairs: 400_000)).Caption, StringComparison.Ordinal);
    }

    [Fact]
    public void DimensionOneHasNoReferenceCurveAndSaysSo()
    {
        var x = Data.Matrix(Enumerable.Range(0, 30).Select(i => i % 3 == 0 ? -1.0 : 1.0).ToArray(), 1);
        var figure = ReportFigures.CosineHistogram(x);
        Assert.Contains("no reference curve", figure.Caption, StringComparison.Ordinal);
        Data.AssertDrawnSvg(figure.Svg);
    }

    [Fact]
    public void TheSpectrumMarksRankMe()
    {
        var x = Data.Matrix(Data.UnitRows(300, 24, new Random(5)), 24);
        var figure = ReportFigures.SingularSpectrum(x);
        var text = Data.SvgText(Data.AssertDrawnSvg(figure.Svg));
        Assert.Contains("RankMe = " + RankMe.Compute(x).ToString("F1", CultureInfo.InvariantCulture) + " of 24", text, StringComparison.Ordinal);
    }

    [Fact]
    public void TheCircleHasOneCurvePerClassWithTheUsersLabels()
    {
        var random = new Random(6);
        var labels = new List<string>();
        var values = new List<double>();
        for (var i = 0; i < 300; i++)
        {
            var c = i % 3;
            var angle = (c * 2.0) + (0.2 * Data.Gaussian(random));
            values.Add(Math.Cos(angle));
            values.Add(Math.Sin(angle));
            labels.Add(c == 2 ? Data.Hostile : "class " + c);
        }

        var figure = ReportFigures.CircleDensity(Data.Matrix([.. values], 2), labels);
        Assert.DoesNotContain("<script", figure.Svg, StringComparison.OrdinalIgnoreCase);
        var text = Data.SvgText(Data.AssertDrawnSvg(figure.Svg));
        Assert.Contains(Data.Hostile + " (n = 100)", text, StringComparison.Ordinal);
        Assert.Contains("class 0 (n = 100)", text, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ReportFigures.CircleDensity(Data.Matrix(Data.UnitRows(10, 3, random), 3), null));
    }

    [Fact]
    public void PositiveDistancesMarkTheAlignmentAsADistance()
    {
        var random = new Random(7);
        var xv = Data.UnitRows(200, 8, random);
        var yv = Data.Noisy(xv, 8, 0.1, random);
        var alignment = Enumerable.Range(0, 200).Average(i => Enumerable.Range(0, 8).Sum(k => Math.Pow(xv[(i * 8) + k] - yv[(i * 8) + k], 2)));
        var figure = ReportFigures.PositiveDistances(Data.Matrix(xv, 8), Data.Matrix(yv, 8), 2, alignment);
        var text = Data.SvgText(Data.AssertDrawnSvg(figure.Svg));
        Assert.Contains("= " + Math.Sqrt(alignment).ToString("F4", CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
        Assert.Contains("root-mean-square", figure.Caption, StringComparison.Ordinal);
    }

    [Fact]
    public void TrainingCurvesAreFourFiguresOnlyWhenThereAreEpochs()
    {
        var epochs = Enumerable.Range(1, 5).Select(e => new EpochPoint(e, 1.0 / e, 0.5 / e, -3 - (0.1 * e), 0.1)).ToList();
        var run = new RunSummary(Data.Hostile, "/runs/a", 128, 0.3, -3.5, 0.8, 0.8, epochs) { UniformOptimum = -3.94 };
        var figures = ReportFigures.TrainingCurves([run, run with { Label = "b", Epochs = [] }]);
        Assert.Equal(
            [ReportFigures.TrainingLossId, ReportFigures.TrainingAlignmentId, ReportFigures.TrainingUniformityId, ReportFigures.TrainingLearningRateId],
            figures.Select(f => f.Id));
        foreach (var figure in figures)
        {
            Assert.DoesNotContain("<script", figure.Svg, StringComparison.OrdinalIgnoreCase);
            Assert.Contains(Data.Hostile, Data.SvgText(Data.AssertDrawnSvg(figure.Svg)), StringComparison.Ordinal);
        }

        Assert.Empty(ReportFigures.TrainingCurves([run with { Epochs = [] }]));
    }
}
