using System.Globalization;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Hypersphere.Core.Errors;

namespace Hypersphere.Reports.Tests;

/// <summary>Run and model folders: the shipped models, a hand-written run, and clear errors.</summary>
public sealed class RunsReportTests
{
    public static TheoryData<string> ShippedModels()
    {
        var data = new TheoryData<string>();
        foreach (var folder in ModelFolders())
        {
            data.Add(folder);
        }

        return data;
    }

    private static IEnumerable<string> ModelFolders() =>
        Directory.GetDirectories(Repository.PathOf("models")).SelectMany(Directory.GetDirectories).Order(StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(ShippedModels))]
    public void ReadsTheShippedModelFolders(string folder)
    {
        var card = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "model.json")))!;
        var run = RunsReport.Read(folder);
        Assert.Equal($"{card["name"]}@{card["version"]}", run.Label);
        Assert.Equal((int)card["embedding_dim"]!, run.Dim);
        Assert.Equal((double)card["evaluation"]!["alignment"]!, run.Alignment);
        Assert.Equal((double)card["evaluation"]!["uniformity"]!, run.Uniformity);
        Assert.Equal((double)card["evaluation"]!["linear_output"]!, run.LinearAccuracy);
        Assert.Equal((double)card["evaluation"]!["knn5_output"]!, run.Knn5Accuracy);
        Assert.Empty(run.Epochs);
        Assert.Equal("model.json", run.Source);

        // The card has no optimum; it is the one for its d and t = 2: −2t + log ₀F₁(; d/2; t²), summed here as a series.
        double b = run.Dim!.Value / 2.0, sum = 0, term = 1;
        for (var k = 1; term > 1e-18; k++)
        {
            sum += term;
            term *= 4 / ((b + k - 1) * k);
        }

        Assert.Equal(-4 + Math.Log(sum), run.UniformOptimum!.Value, 9);
    }

    [Fact]
    public void ReadsAHandWrittenRunFolderAndDrawsItWithTheModels()
    {
        using var temp = new TempFolder();
        var folder = temp.Folder("run-" + "a&b");
        File.WriteAllLines(Path.Combine(folder, "train.jsonl"),
        [
            """{"epoch":1,"steps":10,"loss":-1.5,"alignment":0.8,"uniformity":-2.9,"learning_rate":0.24,"images_per_second":900.5,"seconds":12.0,"resident_megabytes":700}""",
            "",
            """{"epoch":2,"steps":20,"loss":-2.25,"alignment":0.6,"uniformity":-3.4,"learning_rate":0.024,"images_per_second":910,"seconds":11.5,"resident_megabytes":701}""",
        ]);
        File.WriteAllText(Path.Combine(folder, "eval.json"), """
            {"dataset":"fashion-mnist","train_images":60000,"test_images":10000,"epochs_trained":2,"knn5_output":0.71,"knn20_weighted_output":0.72,
             "linear_output":0.75,"linear_fc7":0.8,"linear_epochs":5,"alignment":0.55,"uniformity":-3.5,"uniform_optimum":-3.9375,"rank_me":90.5,"seconds":30}
            """);
        File.WriteAllText(Path.Combine(folder, "config.json"), """{"dataset":"fashion-mnist","feature_dim":64}""");

        var run = RunsReport.Read(folder);
        Assert.Equal("run-a&b", run.Label);
        Assert.Equal(64, run.Dim);
        Assert.Equal(0.55, run.Alignment);
        Assert.Equal(-3.5, run.Uniformity);
        Assert.Equal(0.75, run.LinearAccuracy);
        Assert.Equal(0.71, run.Knn5Accuracy);
        Assert.Equal(-3.9375, run.UniformOptimum);
        Assert.Equal([new EpochPoint(1, -1.5, 0.8, -2.9, 0.24), new EpochPoint(2, -2.25, 0.6, -3.4, 0.024)], run.Epochs);

        var runs = ModelFolders().Select(RunsReport.Read).Append(run).ToList();
        var document = RunsReport.Build(runs);
        Assert.Equal(
            [ReportFigures.PlaneId, ReportFigures.TrainingLossId, ReportFigures.TrainingAlignmentId, ReportFigures.TrainingUniformityId, ReportFigures.TrainingLearningRateId],
            document.Figures.Select(f => f.Id));
        var plane = Data.SvgText(Data.AssertDrawnSvg(document.Figures[0].Svg));
        Assert.Contains("run-a&b (0.7500)", plane, StringComparison.Ordinal);
        Assert.Contains("fmnist-align-uniform@1", plane, StringComparison.Ordinal);
        Assert.Contains("linear-probe accuracy", plane, StringComparison.Ordinal);
        Assert.Contains("different d (128, 64)", document.Figures[0].Caption, StringComparison.Ordinal);

        var fragment = XElement.Parse(document.Fragment);
        Assert.Contains("run-a&b", fragment.Descendants("th").Select(th => th.Value));
        Assert.Contains("run-a&amp;b", document.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", document.Html, StringComparison.OrdinalIgnoreCase);

        // The colour bar is the one reference: to an element of the page or an inline data: image, nothing fetched.
        var references = System.Text.RegularExpressions.Regex.Matches(document.Html, "(?:src|href)=\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(references);
        Assert.All(references, r => Assert.True(r.StartsWith('#') || r.StartsWith("data:image/png;base64,", StringComparison.Ordinal), r[..Math.Min(40, r.Length)]));
        Assert.DoesNotContain("http:", document.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("https:", document.Html, StringComparison.Ordinal);
        var linear = fragment.Descendants().Where(e => (string?)e.Attribute("data-metric") == "linear_output").Select(e => (string)e.Attribute("data-value")!).ToList();
        Assert.Equal(runs.Select(r => r.LinearAccuracy!.Value.ToString("R", CultureInfo.InvariantCulture)), linear);
    }

    [Fact]
    public void AResumedEpochIsOnePointWeightedByItsSteps()
    {
        using var temp = new TempFolder();
        var folder = temp.Folder("resumed");
        File.WriteAllLines(Path.Combine(folder, "train.jsonl"),
        [
            """{"epoch":1,"steps":10,"loss":2,"alignment":1,"uniformity":-1,"learning_rate":0.5}""",
            """{"epoch":2,"steps":4,"loss":1,"alignment":0.5,"uniformity":-2,"learning_rate":0.5}""",
            """{"epoch":2,"steps":6,"loss":0.5,"alignment":0.25,"uniformity":-3,"learning_rate":0.05}""",
        ]);
        var run = RunsReport.Read(folder);
        Assert.Null(run.Alignment);
        Assert.Equal("train.jsonl", run.Source);
        Assert.Equal(2, run.Epochs.Count);
        Assert.Equal(new EpochPoint(1, 2, 1, -1, 0.5), run.Epochs[0]);
        Assert.Equal(2, run.Epochs[1].Epoch);
        Assert.Equal((4 * 1.0 + (6 * 0.5)) / 10, run.Epochs[1].Loss, 12);
        Assert.Equal((4 * 0.5 + (6 * 0.25)) / 10, run.Epochs[1].Alignment, 12);
        Assert.Equal((4 * -2.0 + (6 * -3.0)) / 10, run.Epochs[1].Uniformity, 12);
        Assert.Equal(0.05, run.Epochs[1].LearningRate);

        // No evaluation yet: no plane, but the curves.
        Assert.Equal(ReportFigures.TrainingLossId, RunsReport.Build([run]).Figures[0].Id);
    }

    [Fact]
    public void RunsOfDifferentDimensionsDrawOnePlaneWithAPng()
    {
        // A d = 128 model beside a d = 16 run: the plane says which d its optimum line is for, and still renders as PNG
        // (it once called itself forever here).
        var document = RunsReport.Build(
        [
            new RunSummary("big", "/runs/big", 128, 0.3, -3.8, 0.8, 0.8, []),
            new RunSummary("small", "/runs/small", 16, 0.4, -3.2, 0.7, 0.7, []),
        ]);
        var plane = Assert.Single(document.Figures);
        Assert.Contains("different d (", plane.Caption, StringComparison.Ordinal);
        var png = plane.Png(320, 240);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
    }

    [Fact]
    public void AnEmptyPlaneIsStillAFigure()
    {
        Data.AssertDrawnSvg(ReportFigures.AlignmentUniformityPlane([], 64, 2, null).Svg);
        var figure = ReportFigures.AlignmentUniformityPlane([new PlanePoint("nan", double.NaN, 0.1, null), new PlanePoint("ok", -3, 0.2, double.NaN)], 64, 2, 100);
        Data.AssertDrawnSvg(figure.Svg);
        Assert.Contains("1 of 2 points had no finite values", figure.Caption, StringComparison.Ordinal);
    }

    [Fact]
    public void AHostileModelNameIsEscaped()
    {
        using var temp = new TempFolder();
        var folder = temp.Folder("m", "1");
        File.WriteAllText(Path.Combine(folder, "model.json"), new JsonObject
        {
            ["name"] = Data.Hostile,
            ["version"] = "1",
            ["embedding_dim"] = 16,
            ["evaluation"] = new JsonObject { ["alignment"] = 0.4, ["uniformity"] = -3.1, ["linear_output"] = null },
        }.ToJsonString());
        var document = RunsReport.Build([RunsReport.Read(folder)]);
        Assert.DoesNotContain("<script", document.Html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(Data.Hostile + "@1", Data.SvgText(XDocument.Parse(document.Figures[0].Svg)), StringComparison.Ordinal);
        Assert.Equal(Data.Hostile + "@1", XElement.Parse(document.Fragment).Descendants("th").Single(th => th.Value.StartsWith('<')).Value);
    }

    [Fact]
    public void AFolderThatIsNeitherSaysSo()
    {
        using var temp = new TempFolder();
        var empty = temp.Folder("empty");
        var error = Assert.Throws<HypersphereException>(() => RunsReport.Read(empty));
        Assert.Equal(ErrorKind.NotFound, error.Kind);
        Assert.Contains(empty, error.Message, StringComparison.Ordinal);
        Assert.Contains("neither a run folder", error.Message, StringComparison.Ordinal);
        Assert.Contains("model.json", error.Message, StringComparison.Ordinal);

        var missing = Assert.Throws<HypersphereException>(() => RunsReport.Read(temp.File("nowhere")));
        Assert.Equal(ErrorKind.NotFound, missing.Kind);
        Assert.Contains("nowhere", missing.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("eval.json", "{\"alignment\": 0.5", "is not valid JSON")]
    [InlineData("eval.json", "[1, 2]", "expected the evaluation object")]
    [InlineData("eval.json", "{\"uniformity\": -3}", "field 'alignment' to be a number")]
    [InlineData("eval.json", "{\"alignment\": \"0.5\", \"uniformity\": -3}", "field 'alignment' to be a finite number")]
    [InlineData("model.json", "{\"name\": \"m\", \"version\": \"1\"}", "field 'embedding_dim'")]
    [InlineData("model.json", "{\"version\": \"1\", \"embedding_dim\": 8}", "field 'name'")]
    [InlineData("model.json", "{\"name\": \"m\", \"version\": \"1\", \"embedding_dim\": 8, \"evaluation\": {\"alignment\": true}}", "field 'evaluation.alignment'")]
    [InlineData("train.jsonl", "{\"epoch\":1,\"loss\":1,\"alignment\":1,\"uniformity\":-1,\"learning_rate\":0.1}\nnot json", "line 2 is not JSON")]
    [InlineData("train.jsonl", "{\"epoch\":1,\"loss\":1,\"alignment\":1,\"uniformity\":-1}", "line 1: expected field 'learning_rate'")]
    public void ABrokenFileIsNamedWithWhatWasExpected(string file, string content, string expected)
    {
        using var temp = new TempFolder();
        var folder = temp.Folder("run");
        File.WriteAllText(Path.Combine(folder, file), content);
        var error = Assert.Throws<HypersphereException>(() => RunsReport.Read(folder));
        Assert.Equal(ErrorKind.Corrupt, error.Kind);
        Assert.Contains(Path.Combine(folder, file), error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
