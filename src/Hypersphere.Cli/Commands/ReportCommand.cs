using System.CommandLine;
using System.Globalization;
using Hypersphere.Cli.Reporting;
using Hypersphere.Core.Errors;
using Hypersphere.Core.Quality;
using Hypersphere.Reports;

namespace Hypersphere.Cli.Commands;

/// <summary>
/// <c>hypersphere report</c>: the audit of one batch of embeddings (<c>--embeddings</c>, as <c>quality</c> reads
/// them), or the alignment–uniformity plane and training curves of run and model folders (<c>--runs</c>), written
/// as <c>report.html</c>, <c>report.json</c> (audits) and one .svg and .png per figure. Everything is read,
/// checked and drawn before the folder is touched, and the folder changes whole or not at all.
/// </summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var inputs = new QualityInputOptions(embeddingsRequired: false);
        var runs = new Option<string[]>("--runs")
        {
            Description = "Run folders (eval.json, train.jsonl) and/or model folders (model.json): the plane of all of them and the runs' training curves; instead of --embeddings",
            AllowMultipleArgumentsPerToken = true,
            HelpName = "PATH",
        };
        var output = new Option<DirectoryInfo>("--out", "-o")
        {
            Description = "Folder for report.html, report.json and the figures (.svg, .png); created if missing, other files in it are kept",
            Required = true,
            HelpName = "DIR",
        };
        var command = new Command("report", "Write an HTML report with figures: of embeddings (with report.json, exactly what quality prints) or of run and model folders");
        foreach (var option in inputs.All)
        {
            command.Options.Add(option);
        }

        command.Options.Add(runs);
        command.Options.Add(output);
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var folders = parse.GetValue(runs) ?? [];
            var embeddingsGiven = parse.GetValue(inputs.Embeddings) is not null;
            var runsGiven = parse.GetResult(runs) is not null;
            if (embeddingsGiven && runsGiven)
            {
                throw HypersphereException.Bad("--runs and --embeddings are exclusive: give --embeddings X (an audit of one batch of embeddings) or --runs PATH... (run and model folders), not both");
            }

            if (!embeddingsGiven && !runsGiven)
            {
                throw HypersphereException.Bad("report needs --embeddings X (an audit of one batch of embeddings) or --runs PATH... (run and model folders)");
            }

            var directory = parse.GetValue(output)!.FullName;
            ReportFolder.Check(directory);
            var progress = StepProgress.ForStandardError();
            if (runsGiven)
            {
                var extra = new Option[] { inputs.Positives, inputs.Labels, inputs.Alpha, inputs.T, inputs.Normalize }
                    .FirstOrDefault(o => parse.GetResult(o) is { Implicit: false });
                if (extra is not null)
                {
                    throw HypersphereException.Bad($"{extra.Name} applies to --embeddings; with --runs the plane uses each run's own held-out alignment (α = 2) and uniformity (t = 2)");
                }

                if (folders.Length == 0)
                {
                    throw HypersphereException.Bad("--runs needs at least one run or model folder");
                }

                return WriteRuns(folders, directory, progress);
            }

            using var ctrlC = CtrlC.Listen();
            using var loaded = progress.Run("reading and analysing the embeddings", () => inputs.Load(parse, cancellationToken: ctrlC.Token));
            return WriteAudit(loaded, directory, progress, ctrlC.Token);
        }));
        return command;
    }

    /// <summary>Every file name a report writes: in an existing folder, those the new report does not write are removed.</summary>
    public static readonly IReadOnlyList<string> ReportFiles =
    [
        "report.html", "report.json",
        .. new[]
        {
            ReportFigures.PlaneId, ReportFigures.PositiveDistancesId, ReportFigures.CosineId, ReportFigures.SpectrumId, ReportFigures.CircleId,
            ReportFigures.TrainingLossId, ReportFigures.TrainingAlignmentId, ReportFigures.TrainingUniformityId, ReportFigures.TrainingLearningRateId,
        }.SelectMany(id => new[] { id + ".svg", id + ".png" }),
    ];

    /// <summary>Builds the audit of <paramref name="inputs"/> and writes it into <paramref name="directory"/>; returns the paths.</summary>
    public static IReadOnlyList<string> WriteAudit(QualityInputs inputs, string directory, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var document = AuditReport.Build(ToAuditInput(inputs), options);
        return ReportFolder.Write(directory, staging => ReportWriter.Write(staging, document), ReportFiles);
    }

    /// <summary>What Reports draws for <paramref name="inputs"/>.</summary>
    public static AuditInput ToAuditInput(QualityInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return new AuditInput(inputs.Embeddings.ToMatrix(), inputs.Positives?.ToMatrix(), inputs.Labels, inputs.Report, Sources: inputs.Sources);
    }

    /// <summary>Draws and writes the audit; Ctrl-C stops it before the staged files reach <paramref name="directory"/> (the staging folder is removed).</summary>
    private static int WriteAudit(QualityInputs inputs, string directory, StepProgress progress, CancellationToken cancellationToken)
    {
        var document = progress.Run("drawing the figures", () => AuditReport.Build(ToAuditInput(inputs)));
        cancellationToken.ThrowIfCancellationRequested();
        var written = progress.Run("writing the report", () => ReportFolder.Write(
            directory,
            staging =>
            {
                var files = ReportWriter.Write(staging, document);
                cancellationToken.ThrowIfCancellationRequested();
                return files;
            },
            ReportFiles));
        Print(written, Summary(inputs.Report));
        return 0;
    }

    private static int WriteRuns(IReadOnlyList<string> folders, string directory, StepProgress progress)
    {
        var summaries = progress.Run("reading the folders", () => folders.Select(RunsReport.Read).ToList());
        var document = progress.Run("drawing the figures", () => RunsReport.Build(summaries));
        var written = progress.Run("writing the report", () => ReportFolder.Write(directory, staging => ReportWriter.Write(staging, document), ReportFiles));
        var onPlane = summaries.Count(s => s.Alignment is not null && s.Uniformity is not null);
        var withCurves = summaries.Count(s => s.Epochs.Count > 0);
        Print(written, string.Create(CultureInfo.InvariantCulture, $"{summaries.Count} folders: {onPlane} on the alignment–uniformity plane, {withCurves} with training curves"));
        return 0;
    }

    private static void Print(IReadOnlyList<string> written, string summary)
    {
        foreach (var path in written)
        {
            Console.Out.WriteLine(path);
        }

        Console.Out.WriteLine(summary);
    }

    /// <summary>One line: the numbers a reader checks first, each next to its reference.</summary>
    public static string Summary(QualityReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var c = CultureInfo.InvariantCulture;
        var parts = new List<string>
        {
            string.Format(c, "N = {0}, d = {1}", report.N, report.Dim),
        };
        if (report.Alignment is { } alignment)
        {
            parts.Add(string.Format(c, "alignment {0:F3} (0 … {1:G4})", alignment, Math.Pow(2, report.Alpha)));
        }

        parts.Add(string.Format(c, "uniformity {0:F3} (uniform optimum {1:F3}, bound {2:F3})", report.Uniformity, report.Reference.UniformOptimum, report.Reference.FiniteNBound));
        parts.Add(string.Format(c, "RankMe {0:F1} of {1}", report.RankMe, Math.Min(report.N, report.Dim)));
        if (report.KnnAccuracy is { } knn)
        {
            parts.Add(string.Format(c, "5-NN {0:P1}", knn.K5));
        }

        parts.Add(report.Verdict.Status);
        return string.Join(", ", parts);
    }
}
