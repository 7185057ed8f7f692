using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Hypersphere.Cli.Tests;

/// <summary>
/// <c>hypersphere report --runs</c> on the shipped model folders and on a run folder the real trainer and
/// evaluator make: every folder's point is drawn at the (uniformity, alignment) its card or eval.json states.
/// </summary>
public sealed partial class RunsReportCommandTests
{
    private static readonly string[] ShippedModels =
    [
        Repository.PathOf("models", "fmnist-align-uniform", "1"),
        Repository.PathOf("models", "fmnist-align-uniform", "2"),
        Repository.PathOf("models", "fmnist-contrastive", "1"),
        Repository.PathOf("models", "fmnist-contrastive", "2"),
    ];

    [Fact]
    public void ShippedModelsAndATrainedRunArePlottedAtTheirCardsNumbers()
    {
        using var folder = new TempFolder();
        var run = TinyEvaluatedRun(folder);
        var outDir = folder.File("report");

        var (code, stdout, stderr) = CliProcess.Run(["report", "--runs", .. ShippedModels, run, "--out", outDir]);

        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("5 folders: 5 on the alignment–uniformity plane, 1 with training curves", lines[^1]);
        Assert.All(lines[..^1], p => Assert.True(File.Exists(p), p));
        Assert.False(File.Exists(Path.Combine(outDir, "report.json")), "a runs report has no quality JSON");

        // The expected numbers come from the files themselves, read here with System.Text.Json.
        var expected = ShippedModels.Select(m => Numbers(Path.Combine(m, "model.json"), "evaluation")).Append(Numbers(Path.Combine(run, "eval.json"), null)).ToList();

        var html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        ReportCommandTests.AssertSelfContained(html);
        var alignments = DataValues(html, "alignment");
        var uniformities = DataValues(html, "uniformity");
        Assert.Equal(expected.Select(e => e.Alignment), alignments);
        Assert.Equal(expected.Select(e => e.Uniformity), uniformities);

        var plane = Path.Combine(outDir, "alignment-uniformity-plane.svg");
        Assert.True(File.Exists(Path.Combine(outDir, "alignment-uniformity-plane.png")));
        var drawn = PlotPoints(File.ReadAllText(plane));
        Assert.Equal(expected.Count, drawn.Points.Count);
        foreach (var (uniformity, alignment) in expected)
        {
            Assert.Contains(drawn.Points, p => Math.Abs(p.X - uniformity) <= 0.01 * drawn.XSpan && Math.Abs(p.Y - alignment) <= 0.01 * drawn.YSpan);
        }

        Assert.Contains(Directory.GetFiles(outDir, "*.svg"), f => Path.GetFileName(f).Contains("training", StringComparison.Ordinal));
    }

    [Fact]
    public void AFolderThatIsNeitherARunNorAModelFailsAndWritesNothing()
    {
        using var folder = new TempFolder();
        var empty = folder.Folder("empty");
        var outDir = folder.File("report");

        var (code, stdout, stderr) = CliProcess.Run(["report", "--runs", ShippedModels[0], empty, "--out", outDir]);

        Assert.Equal(5, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("neither a run folder", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir));
    }

    // A 2-epoch run on 256 images with a tiny encoder (d = 128, the shipped models' d), then k-NN evaluation on 300:
    // eval.json and train.jsonl.
    private static string TinyEvaluatedRun(TempFolder folder)
    {
        var run = folder.File("tiny-run");
        var train = CliProcess.Run("train", "--epochs", "2", "--out", run, "--limit", "256", "--batch-size", "64", "--width", "0.0625", "--feature-dim", "128", "--threads", "2");
        Assert.True(train.ExitCode == 0, train.Stderr);
        var eval = CliProcess.Run("eval", "--checkpoint", run, "--protocol", "knn", "--limit", "300", "--threads", "2");
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        return run;
    }

    private static (double Uniformity, double Alignment) Numbers(string path, string? section)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = section is null ? document.RootElement : document.RootElement.GetProperty(section);
        return (root.GetProperty("uniformity").GetDouble(), root.GetProperty("alignment").GetDouble());
    }

    private static List<double> DataValues(string html, string metric) =>
        Regex.Matches(html, $"data-metric=\"{metric}\"[^>]*data-value=\"([^\"]+)\"|data-value=\"([^\"]+)\"[^>]*data-metric=\"{metric}\"")
            .Select(m => double.Parse(m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value, CultureInfo.InvariantCulture))
            .ToList();

    /// <summary>
    /// The markers drawn inside the plot area of a ScottPlot SVG, in data coordinates: the pixel-to-value map is fitted
    /// to the grid lines and the numeric tick labels beside the plot area (checked to be linear), then applied to the
    /// centres of the ellipses clipped to the plot area.
    /// </summary>
    internal static (List<(double X, double Y)> Points, double XSpan, double YSpan) PlotPoints(string svg)
    {
        var clip = ClipRect().Match(svg);
        Assert.True(clip.Success, "no clipped plot area in the SVG");
        double left = D(clip.Groups["x"]), top = D(clip.Groups["y"]), right = left + D(clip.Groups["w"]), bottom = top + D(clip.Groups["h"]);

        var vertical = new SortedSet<double>();
        var horizontal = new SortedSet<double>();
        foreach (Match path in GridPath().Matches(svg))
        {
            foreach (Match segment in Segment().Matches(path.Groups["d"].Value))
            {
                double x1 = D(segment.Groups["x1"]), y1 = D(segment.Groups["y1"]), x2 = D(segment.Groups["x2"]), y2 = D(segment.Groups["y2"]);
                if (Math.Abs(x1 - x2) < 0.01 && Math.Abs(Math.Abs(y1 - y2) - (bottom - top)) < 1)
                {
                    vertical.Add(Math.Round(x1, 2));
                }
                else if (Math.Abs(y1 - y2) < 0.01 && Math.Abs(Math.Abs(x1 - x2) - (right - left)) < 1)
                {
                    horizontal.Add(Math.Round(y1, 2));
                }
            }
        }

        var labels = TickLabel().Matches(svg).Select(m => (X: D(m.Groups["x"]), Y: D(m.Groups["y"]), Value: D(m.Groups["v"]))).ToList();
        var xTicks = labels.Where(l => l.Y > bottom && l.X >= left - 20 && l.X <= right + 20).Select(l => l.Value).Distinct().Order().ToList();
        var yTicks = labels.Where(l => l.X < left && l.Y >= top - 20 && l.Y <= bottom + 20).Select(l => l.Value).Distinct().OrderDescending().ToList();
        var toX = Fit([.. vertical], xTicks, "x");
        var toY = Fit([.. horizontal], yTicks, "y");

        var points = PlotMarker().Matches(svg).Select(m => (toX(D(m.Groups["cx"])), toY(D(m.Groups["cy"])))).ToList();
        return (points, Math.Abs(toX(right) - toX(left)), Math.Abs(toY(top) - toY(bottom)));
    }

    // value = a + b·pixel through the grid lines and their labels (in order), which must lie on one line.
    private static Func<double, double> Fit(List<double> pixels, List<double> values, string axis)
    {
        Assert.True(pixels.Count >= 2 && pixels.Count == values.Count, $"{axis}: {pixels.Count} grid lines but {values.Count} tick labels");
        double mp = pixels.Average(), mv = values.Average();
        var b = pixels.Zip(values).Sum(p => (p.First - mp) * (p.Second - mv)) / pixels.Sum(p => (p - mp) * (p - mp));
        var a = mv - (b * mp);
        var step = Math.Abs(values[1] - values[0]);
        Assert.All(pixels.Zip(values), p => Assert.True(Math.Abs(a + (b * p.First) - p.Second) < 0.05 * step, $"{axis} tick {p.Second} at pixel {p.First} is off the fitted line"));
        return p => a + (b * p);
    }

    private static double D(Group g) => double.Parse(g.Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"<clipPath id=""[^""]+"">\s*<rect x=""(?<x>[-\d.]+)"" y=""(?<y>[-\d.]+)"" width=""(?<w>[\d.]+)"" height=""(?<h>[\d.]+)""")]
    private static partial Regex ClipRect();

    [GeneratedRegex(@"<path fill=""none""[^>]*stroke-opacity=""[^""]+""[^>]*d=""(?<d>[^""]+)""")]
    private static partial Regex GridPath();

    [GeneratedRegex(@"M(?<x1>[-\d.]+) (?<y1>[-\d.]+)L(?<x2>[-\d.]+) (?<y2>[-\d.]+)")]
    private static partial Regex Segment();

    [GeneratedRegex(@"<text transform=""translate\((?<x>[-\d.]+) (?<y>[-\d.]+)\)""[^>]*>\s*(?<v>[-−]?\d+(\.\d+)?)\s*</text>")]
    private static partial Regex TickLabel();

    [GeneratedRegex(@"<g clip-path=""url\(#[^)]+\)"">\s*<ellipse[^>]*cx=""(?<cx>[-\d.]+)"" cy=""(?<cy>[-\d.]+)""")]
    private static partial Regex PlotMarker();
}
