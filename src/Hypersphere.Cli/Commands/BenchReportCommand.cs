using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.IO;
using Hypersphere.Core.Quality;
using Hypersphere.Reports;
using Spectre.Console;

namespace Hypersphere.Cli.Commands;

/// <summary>
/// <c>hypersphere bench report</c>: what <c>hypersphere report --embeddings X --positives Y --labels L</c> spends its
/// time on for synthetic data (seeded unit vectors in classes, positives as noisy copies), phase by phase: reading
/// and analysing the files (all of <c>quality</c>), drawing the figures and the page, and writing the folder.
/// </summary>
internal static class BenchReportCommand
{
    public static Command Create()
    {
        var n = new Option<int>("--n") { Description = "Rows", DefaultValueFactory = _ => 10_000 };
        var dim = new Option<int>("--dim") { Description = "Dimension", DefaultValueFactory = _ => 128 };
        var classes = new Option<int>("--classes") { Description = "Classes of the labels", DefaultValueFactory = _ => 10 };
        var noise = new Option<double>("--noise") { Description = "Positives: norm of the random offset added to each row before renormalising", DefaultValueFactory = _ => 0.5 };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic data", DefaultValueFactory = _ => 0 };
        var repeats = new Option<int>("--repeats") { Description = "Runs (the first is cold, as a command is; the median of all is reported too)", DefaultValueFactory = _ => 3 };
        var command = new Command("report", "Seconds of `report` for N×d embeddings with positives and labels: quality analysis, figures and page, writing")
        {
            n, dim, classes, noise, seed, repeats,
        };
        command.SetAction(parse => CommandErrors.Run(() => Run(
            parse.GetValue(n), parse.GetValue(dim), parse.GetValue(classes), parse.GetValue(noise), parse.GetValue(seed), Math.Max(1, parse.GetValue(repeats)))));
        return command;
    }

    private static int Run(int n, int dim, int classes, double noise, int seed, int repeats)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"hypersphere-bench-report-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var (x, y, labels) = Synthetic(n, dim, classes, noise, seed);
            var xPath = Path.Combine(folder, "embeddings.npy");
            var yPath = Path.Combine(folder, "positives.npy");
            var labelsPath = Path.Combine(folder, "labels.txt");
            NpyFile.Write(xPath, x, n, dim);
            NpyFile.Write(yPath, y, n, dim);
            File.WriteAllLines(labelsPath, labels);

            var runs = new List<double[]>();
            string? summary = null;
            int files = 0;
            for (var r = 0; r < repeats; r++)
            {
                var outDir = Path.Combine(folder, $"report-{r}");
                var clock = Stopwatch.StartNew();
                var inputs = QualityInputs.Load(xPath, yPath, labelsPath, new QualityOptions(), normalize: false);
                var analysed = clock.Elapsed.TotalSeconds;
                var document = AuditReport.Build(ReportCommand.ToAuditInput(inputs));
                var built = clock.Elapsed.TotalSeconds;
                files = Reporting.ReportFolder.Write(outDir, staging => ReportWriter.Write(staging, document), ReportCommand.ReportFiles).Count;
                var total = clock.Elapsed.TotalSeconds;
                runs.Add([analysed, built - analysed, total - built, total]);
                summary = ReportCommand.Summary(inputs.Report);
            }

            var table = new Table().AddColumns("phase", "cold run s", $"median of {repeats} s");
            string[] phases = ["read + quality analysis", "figures + HTML", $"write ({files} files: SVG, PNG, JSON, HTML)", "total"];
            for (var p = 0; p < phases.Length; p++)
            {
                var sorted = runs.Select(run => run[p]).Order().ToList();
                table.AddRow(phases[p], F(runs[0][p]), F(sorted[sorted.Count / 2]));
            }

            AnsiConsole.MarkupLineInterpolated($"report, N = {n}, d = {dim}, {classes} classes, positives with noise {noise}, seed {seed}, {Environment.ProcessorCount} cores");
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLineInterpolated($"[grey]{summary}[/]");
            AnsiConsole.MarkupLineInterpolated($"target: total ≤ 5 s on 2 cores (cold run {F(runs[0][3])} s)");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Rows around <paramref name="classes"/> seeded class centres (x = normalise(centre/2 + u), u uniform on the sphere),
    /// positives y = normalise(x + noise·v) with v uniform on the sphere, labels the class of each row.
    /// </summary>
    private static (float[] X, float[] Y, string[] Labels) Synthetic(int n, int dim, int classes, double noise, int seed)
    {
        var centres = SpherePoints.Uniform(classes, dim, seed);
        var u = SpherePoints.Uniform(n, dim, seed + 1);
        var v = SpherePoints.Uniform(n, dim, seed + 2);
        var x = new float[n * dim];
        var y = new float[n * dim];
        var labels = new string[n];
        for (var i = 0; i < n; i++)
        {
            var c = i % classes;
            labels[i] = c.ToString(CultureInfo.InvariantCulture);
            var row = x.AsSpan(i * dim, dim);
            for (var k = 0; k < dim; k++)
            {
                row[k] = (0.5f * centres[(c * dim) + k]) + u[(i * dim) + k];
            }

            Normalize(row);
            var positive = y.AsSpan(i * dim, dim);
            for (var k = 0; k < dim; k++)
            {
                positive[k] = row[k] + (float)(noise * v[(i * dim) + k]);
            }

            Normalize(positive);
        }

        return (x, y, labels);
    }

    private static void Normalize(Span<float> row)
    {
        var norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot<float>(row, row));
        System.Numerics.Tensors.TensorPrimitives.Divide(row, norm, row);
    }

    private static string F(double v) => v.ToString("F3", CultureInfo.InvariantCulture);
}
