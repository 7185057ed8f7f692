using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Hypersphere.Core.Errors;
using Hypersphere.Core.Quality;

namespace Hypersphere.Reports.Tests;

/// <summary>The HTML audit: self-contained, escaped, and its numbers equal the JSON's.</summary>
public sealed partial class AuditReportTests
{
    private static readonly Lazy<AuditDocument> Full = new(() => AuditReport.Build(Data.Audit(600, 32, title: "Audit " + Data.Hostile)));

    [Fact]
    public void TheHtmlHasNoScriptAndNoExternalReference()
    {
        var html = Full.Value.Html;
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("javascript:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@font-face", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(SourceAttribute(), html);
        foreach (Match url in CssUrl().Matches(html))
        {
            Assert.StartsWith("url(#", url.Value, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("<?xml", html, StringComparison.Ordinal);
        Assert.Contains(ReportStyles.Css, html, StringComparison.Ordinal);
        Assert.Contains(Full.Value.Fragment, html, StringComparison.Ordinal);
    }

    [Fact]
    public void UserStringsAreEscaped()
    {
        var document = Full.Value;
        var fragment = XElement.Parse(document.Fragment);

        // The title, a source and a label (inside an SVG) come back exactly, as text, never as markup.
        Assert.Equal("Audit " + Data.Hostile, fragment.Descendants("h1").Single().Value);
        Assert.Contains("<b>positives</b>.npy", fragment.Descendants("li").Select(li => li.Value));
        Assert.Empty(fragment.Descendants("script"));
        Assert.Empty(fragment.Descendants("b"));
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;&#39;", document.Html, StringComparison.Ordinal);
        Assert.Contains("<title>Audit &lt;script&gt;", document.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void TheFragmentIsOneArticleWithoutStyleOrScript()
    {
        var fragment = Full.Value.Fragment;
        Assert.StartsWith("<article class=\"hs-report\"", fragment, StringComparison.Ordinal);
        Assert.EndsWith("</article>", fragment, StringComparison.Ordinal);
        var root = XElement.Parse(fragment);
        Assert.Equal("article", root.Name.LocalName);
        Assert.DoesNotContain(root.Descendants(), e => e.Name.LocalName is "style" or "script" or "link");
    }

    [Fact]
    public void EveryNumberIsMarkedWithItsJsonPathAndExactValue() => AssertMarkersMatchTheJson(
        Full.Value,
        [
            "n", "dim", "alpha", "t", "estimator", "pairs", "alignment", "uniformity", "uniformity_positives", "uniformity_mean", "reference.uniform_optimum",
            "reference.finite_n_bound", "rank_me", "mean_cosine", "std_sqrt_d", "knn_accuracy.k5", "knn_accuracy.k20_weighted", "verdict.status",
        ]);

    [Fact]
    public void ASampledReportShowsItsIntervalsAndHowManyPairsItDrew()
    {
        var document = AuditReport.Build(Data.Audit(600, 32, sampling: new SamplingOptions(Pairs: 500, Seed: 3)));
        AssertMarkersMatchTheJson(
            document,
            [
                "n", "dim", "alpha", "t", "estimator", "pairs", "rank_me_rows", "alignment", "alignment_ci.0", "alignment_ci.1", "uniformity",
                "uniformity_ci.0", "uniformity_ci.1", "uniformity_positives", "uniformity_mean", "reference.uniform_optimum", "reference.finite_n_bound",
                "rank_me", "mean_cosine", "std_sqrt_d", "knn_accuracy.k5", "knn_accuracy.k20_weighted", "verdict.status",
            ]);
        Assert.Contains("from <span data-metric=\"pairs\" data-value=\"500\">500</span> random pairs, with 95 % intervals", document.Fragment, StringComparison.Ordinal);
    }

    private static void AssertMarkersMatchTheJson(AuditDocument document, string[] expected)
    {
        var root = XElement.Parse(document.Fragment);
        var marked = root.Descendants().Where(e => e.Attribute("data-metric") is not null)
            .ToDictionary(e => (string)e.Attribute("data-metric")!, e => (string)e.Attribute("data-value")!);
        using var json = JsonDocument.Parse(document.Json);
        Assert.Equal(expected.Order(), marked.Keys.Order());
        foreach (var (path, value) in marked)
        {
            var element = json.RootElement;
            foreach (var part in path.Split('.'))
            {
                element = int.TryParse(part, CultureInfo.InvariantCulture, out var index) ? element[index] : element.GetProperty(part);
            }

            if (element.ValueKind == JsonValueKind.String)
            {
                Assert.Equal(element.GetString(), value);
            }
            else
            {
                // Same double, and the same characters as the JSON (round-trip formatting).
                Assert.Equal(element.GetDouble(), double.Parse(value, CultureInfo.InvariantCulture));
                Assert.Equal(element.GetRawText(), value);
            }
        }
    }

    [Fact]
    public void MissingValuesAreMarkedNull()
    {
        var document = AuditReport.Build(Data.Audit(200, 8, positives: false, labels: false));
        var root = XElement.Parse(document.Fragment);
        var marked = root.Descendants().Where(e => e.Attribute("data-metric") is not null)
            .ToDictionary(e => (string)e.Attribute("data-metric")!, e => (string)e.Attribute("data-value")!);
        foreach (var path in new[] { "alignment", "uniformity_positives", "uniformity_mean", "knn_accuracy.k5", "knn_accuracy.k20_weighted" })
        {
            Assert.Equal("null", marked[path]);
        }

        using var json = JsonDocument.Parse(document.Json);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("alignment").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("knn_accuracy").ValueKind);
    }

    [Fact]
    public void TheFiguresAreTheOnesThatApplyEachInlineWithUniqueIds()
    {
        var document = Full.Value;
        Assert.Equal(
            [ReportFigures.PlaneId, ReportFigures.PositiveDistancesId, ReportFigures.CosineId, ReportFigures.SpectrumId],
            document.Figures.Select(f => f.Id));
        var root = XElement.Parse(document.Fragment);
        var figures = root.Descendants("figure").ToList();
        Assert.Equal(document.Figures.Select(f => f.Id), figures.Select(f => (string)f.Attribute("data-figure")!));
        foreach (var figure in figures)
        {
            var svg = Assert.Single(figure.Elements(), e => e.Name.LocalName == "svg");
            Assert.NotNull(svg.Attribute("viewBox"));
            Assert.Contains(svg.Descendants().Where(e => e.Name.LocalName == "path"), p => ((string?)p.Attribute("d") ?? string.Empty).Length > 10);
            Assert.NotEmpty(figure.Element("figcaption")!.Value);
        }

        var ids = root.Descendants().Select(e => (string?)e.Attribute("id")).Where(id => id is not null).ToList();
        Assert.NotEmpty(ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        foreach (Match reference in CssUrl().Matches(document.Fragment))
        {
            Assert.Contains(reference.Value["url(#".Length..^1], ids);
        }

        var circle = AuditReport.Build(Data.Audit(300, 2, positives: false));
        Assert.Equal([ReportFigures.PlaneId, ReportFigures.CosineId, ReportFigures.SpectrumId, ReportFigures.CircleId], circle.Figures.Select(f => f.Id));
        Assert.Contains("no positives", Data.SvgText(XDocument.Parse(circle.Figures[0].Svg)), StringComparison.Ordinal);
    }

    [Fact]
    public void TheTableShowsEachReference()
    {
        var document = Full.Value;
        var root = XElement.Parse(document.Fragment);
        var rows = root.Descendants("tr").Where(r => r.Attribute("data-row") is not null).ToDictionary(r => (string)r.Attribute("data-row")!, r => r.Value);
        Assert.Contains("uniform sphere optimum", rows["uniformity"], StringComparison.Ordinal);
        Assert.Contains("finite-N bound", rows["uniformity"], StringComparison.Ordinal);
        Assert.Contains("0 = perfect", rows["alignment"], StringComparison.Ordinal);
        Assert.Contains("2α = 4 = antipodal", rows["alignment"], StringComparison.Ordinal);
        Assert.Contains("0 = uniform", rows["mean_cosine"], StringComparison.Ordinal);
        Assert.Contains("1 = uniform", rows["std_sqrt_d"], StringComparison.Ordinal);
        Assert.Contains("min(N, d) = 32", rows["rank_me"], StringComparison.Ordinal);
        Assert.Contains("chance (largest class) = 0.2500", rows["knn_accuracy.k5"], StringComparison.Ordinal);
        Assert.Equal(document.Report.Verdict.Status, (string)root.Descendants("div").Single(d => (string?)d.Attribute("class") == "hs-verdict").Attribute("data-status")!);
    }

    [Fact]
    public void TheSameInputGivesTheSameReport()
    {
        var input = Data.Audit(300, 2, title: "again");
        var first = AuditReport.Build(input);
        var second = AuditReport.Build(input);
        Assert.Equal(first.Html, second.Html);
        Assert.Equal(first.Figures.Select(f => f.Png(200, 150)), second.Figures.Select(f => f.Png(200, 150)));
    }

    [Theory]
    [InlineData(300, 2, true, true)]
    [InlineData(400, 16, true, false)]
    [InlineData(250, 8, false, true)]
    public void AnalyzeDrawingBesideTheAnalysisGivesWhatAnalysisThenBuildGive(int n, int dim, bool positives, bool labels)
    {
        // The reference is the two steps one after the other: Core's analysis, then the report on it.
        var input = Data.Audit(n, dim, positives, labels, seed: 7, title: "side by side");
        var quality = new QualityOptions(Alpha: 1.5, T: 3);
        var ids = input.Labels is null ? null : LabelSet.ToIds(input.Labels);
        var report = QualityAnalyzer.Analyze(input.Embeddings, input.Positives, ids, quality, ["a caveat"]);
        var expected = AuditReport.Build(input with { Report = report });

        var both = AuditReport.Analyze(input.Embeddings, input.Positives, input.Labels, quality, ["a caveat"], "side by side", input.Sources);

        Assert.Equal(QualityJson.Serialize(report), both.Json);
        Assert.Equal(expected.Html, both.Html);
        Assert.Equal(expected.Figures.Select(f => f.Id), both.Figures.Select(f => f.Id));
    }

    [Fact]
    public void AnalyzeRefusesWhatTheAnalysisRefusesWithItsError()
    {
        var input = Data.Audit(40, 4, seed: 3);
        var wrongLabels = Assert.Throws<HypersphereException>(() => AuditReport.Analyze(input.Embeddings, input.Positives, ["a", "b"]));
        var expected = Assert.Throws<HypersphereException>(() => QualityAnalyzer.Analyze(input.Embeddings, input.Positives, [0, 1]));
        Assert.Equal(expected.Message, wrongLabels.Message);

        var shorter = Data.Matrix(Data.UnitRows(39, 4, new Random(2)), 4);
        var pairs = Assert.Throws<HypersphereException>(() => AuditReport.Analyze(input.Embeddings, shorter, null));
        Assert.Equal(Assert.Throws<HypersphereException>(() => QualityAnalyzer.Analyze(input.Embeddings, shorter)).Message, pairs.Message);

        var alpha = Assert.Throws<HypersphereException>(() => AuditReport.Analyze(input.Embeddings, input.Positives, null, new QualityOptions(Alpha: 0)));
        Assert.StartsWith("alpha must be", alpha.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMismatchedInputIsRefused()
    {
        var input = Data.Audit(50, 4);
        Assert.Throws<ArgumentException>(() => AuditReport.Build(input with { Embeddings = Data.Matrix(Data.UnitRows(51, 4, new Random(1)), 4) }));
        Assert.Throws<ArgumentException>(() => AuditReport.Build(input with { Labels = ["a"] }));
    }

    [GeneratedRegex(@"\s(src|href|xlink:href|srcset|action|formaction)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex SourceAttribute();

    [GeneratedRegex(@"url\([^)]*\)", RegexOptions.IgnoreCase)]
    private static partial Regex CssUrl();
}
