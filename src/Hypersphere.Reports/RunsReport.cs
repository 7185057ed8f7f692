using System.Globalization;
using System.Text;
using System.Text.Json;
using Hypersphere.Core.Errors;
using static Hypersphere.Reports.ReportText;

namespace Hypersphere.Reports;

/// <summary>Reads run and model folders and builds the runs report.</summary>
public static class RunsReport
{
    /// <summary>Model folders hold this model card.</summary>
    public const string ModelFileName = "model.json";

    /// <summary>Run folders hold this evaluation (after <c>hypersphere eval</c>).</summary>
    public const string EvaluationFileName = "eval.json";

    /// <summary>Run folders hold this training log, one JSON object per epoch.</summary>
    public const string TrainingLogFileName = "train.jsonl";

    /// <summary>Run folders hold the training configuration here (read for <c>feature_dim</c> only).</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>
    /// Reads one folder: a model folder (<c>model.json</c>: <c>name</c>, <c>version</c>, <c>embedding_dim</c>,
    /// optional <c>evaluation</c> with <c>knn5_output</c>, <c>linear_output</c>, <c>alignment</c>, <c>uniformity</c>)
    /// or a run folder (<c>eval.json</c> and/or <c>train.jsonl</c>, and <c>config.json</c>'s <c>feature_dim</c> when present).
    /// </summary>
    /// <exception cref="HypersphereException">
    /// <see cref="ErrorKind.NotFound"/> when the folder does not exist or holds none of these files;
    /// <see cref="ErrorKind.Corrupt"/> when one does not parse or lacks a field, naming the file, the line and what was expected.
    /// </exception>
    public static RunSummary Read(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
        {
            throw new HypersphereException(ErrorKind.NotFound, $"'{folder}' is not a folder: expected a run folder (with {EvaluationFileName} or {TrainingLogFileName}) or a model folder (with {ModelFileName})");
        }

        var model = Path.Combine(folder, ModelFileName);
        if (File.Exists(model))
        {
            return ReadModel(folder, model);
        }

        var eval = Path.Combine(folder, EvaluationFileName);
        var log = Path.Combine(folder, TrainingLogFileName);
        if (!File.Exists(eval) && !File.Exists(log))
        {
            throw new HypersphereException(ErrorKind.NotFound, $"'{folder}' is neither a run folder (no {EvaluationFileName} or {TrainingLogFileName}) nor a model folder (no {ModelFileName})");
        }

        var epochs = File.Exists(log) ? ReadLog(log) : [];
        int? dim = null;
        var config = Path.Combine(folder, ConfigFileName);
        if (File.Exists(config))
        {
            using var document = Parse(config);
            dim = document.RootElement.ValueKind == JsonValueKind.Object ? OptionalInt(document.RootElement, "feature_dim", config) : null;
        }

        var label = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
        if (!File.Exists(eval))
        {
            return new RunSummary(label, folder, dim, null, null, null, null, epochs) { Source = TrainingLogFileName };
        }

        using (var document = Parse(eval))
        {
            var root = Object(document.RootElement, eval, "the evaluation object");
            return new RunSummary(
                label,
                folder,
                dim,
                RequiredDouble(root, "alignment", eval),
                RequiredDouble(root, "uniformity", eval),
                OptionalDouble(root, "linear_output", eval),
                OptionalDouble(root, "knn5_output", eval),
                epochs)
            {
                UniformOptimum = OptionalDouble(root, "uniform_optimum", eval),
                Source = EvaluationFileName,
            };
        }
    }

    /// <summary>
    /// The alignment–uniformity plane of all <paramref name="runs"/> that have both numbers, coloured by
    /// linear-probe accuracy, and the training curves (<see cref="ReportFigures.TrainingCurves"/>) of those with epochs.
    /// </summary>
    /// <remarks>
    /// The plane's optimum line is for the runs' d when they share one (the most common d otherwise, said in the caption);
    /// values are those of <c>eval.json</c> and model cards, measured with α = 2 and t = 2.
    /// </remarks>
    public static RunsDocument Build(IReadOnlyList<RunSummary> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var figures = new List<Figure>();
        var placed = runs.Where(r => r.Alignment is not null && r.Uniformity is not null).ToList();
        if (placed.Count > 0)
        {
            var dims = placed.Where(r => r.Dim is not null).GroupBy(r => r.Dim!.Value).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key).ToList();
            var dim = dims.Count > 0 ? dims[0].Key : 128;
            var points = placed.Select(r => new PlanePoint(r.Label, r.Uniformity!.Value, r.Alignment!.Value, r.LinearAccuracy)).ToList();
            var plane = ReportFigures.AlignmentUniformityPlane(points, dim, 2, null, 2, "linear-probe accuracy");
            if (dims.Count != 1)
            {
                var note = dims.Count == 0
                    ? " No run states its d: the optimum line is drawn for d = 128."
                    : F($" The runs have different d ({string.Join(", ", dims.Select(g => g.Key))}): the optimum line is for d = {dim}.");
                var drawn = plane;
                plane = new Figure(drawn.Id, drawn.Title, drawn.Caption + note, drawn.Svg, drawn.Png);
            }

            figures.Add(plane);
        }

        figures.AddRange(ReportFigures.TrainingCurves(runs));
        var fragment = Fragment(runs, figures);
        return new RunsDocument(runs, figures, HtmlPage.Document("Runs and models", fragment)) { Fragment = fragment };
    }

    private static string Fragment(IReadOnlyList<RunSummary> runs, IReadOnlyList<Figure> figures)
    {
        var html = new StringBuilder(64 * 1024);
        html.Append("<article class=\"hs-report\" data-report=\"runs\">\n<header>\n<h1>Runs and models</h1>\n")
            .Append(F($"<p class=\"hs-meta\">{runs.Count} folders. Held-out alignment L<sub>align</sub>(α = 2) and uniformity L<sub>uniform</sub>(t = 2): lower is better; accuracies: higher is better.</p>\n</header>\n"));
        html.Append("<table class=\"hs-runs\">\n<thead><tr><th scope=\"col\">run or model</th><th scope=\"col\">d</th><th scope=\"col\">alignment</th><th scope=\"col\">uniformity</th><th scope=\"col\">uniform optimum</th><th scope=\"col\">linear probe</th><th scope=\"col\">5-NN</th><th scope=\"col\">epochs</th><th scope=\"col\">folder</th></tr></thead>\n<tbody>\n");
        foreach (var run in runs)
        {
            html.Append("<tr><th scope=\"row\">").Append(Html(run.Label)).Append("</th><td class=\"hs-num\">").Append(run.Dim?.ToString(CultureInfo.InvariantCulture) ?? "—")
                .Append("</td><td class=\"hs-num\">").Append(AuditReport.Metric("alignment", run.Alignment))
                .Append("</td><td class=\"hs-num\">").Append(AuditReport.Metric("uniformity", run.Uniformity))
                .Append("</td><td class=\"hs-num\">").Append(AuditReport.Metric("uniform_optimum", run.UniformOptimum))
                .Append("</td><td class=\"hs-num\">").Append(AuditReport.Metric("linear_output", run.LinearAccuracy))
                .Append("</td><td class=\"hs-num\">").Append(AuditReport.Metric("knn5_output", run.Knn5Accuracy))
                .Append("</td><td class=\"hs-num\">").Append(run.Epochs.Count.ToString(CultureInfo.InvariantCulture))
                .Append("</td><td>").Append(Html(run.Path)).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
        AuditReport.AppendFigures(html, figures);
        html.Append("</article>");
        return html.ToString();
    }

    private static RunSummary ReadModel(string folder, string path)
    {
        using var document = Parse(path);
        var root = Object(document.RootElement, path, "the model card object");
        var name = RequiredString(root, "name", path);
        var version = root.TryGetProperty("version", out var v) && v.ValueKind is JsonValueKind.String or JsonValueKind.Number
            ? (v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText())
            : throw Corrupt(path, "field 'version' to be a string");
        var dim = OptionalInt(root, "embedding_dim", path) ?? throw Corrupt(path, "field 'embedding_dim' to be a positive integer");
        double? alignment = null, uniformity = null, linear = null, knn5 = null;
        if (root.TryGetProperty("evaluation", out var evaluation) && evaluation.ValueKind != JsonValueKind.Null)
        {
            var e = Object(evaluation, path, "field 'evaluation' to be an object");
            alignment = OptionalDouble(e, "alignment", path, "evaluation.");
            uniformity = OptionalDouble(e, "uniformity", path, "evaluation.");
            linear = OptionalDouble(e, "linear_output", path, "evaluation.");
            knn5 = OptionalDouble(e, "knn5_output", path, "evaluation.");
        }

        // Model cards evaluate with t = 2 (as eval.json does) but do not store the optimum: it follows from d.
        return new RunSummary(name + "@" + version, folder, dim, alignment, uniformity, linear, knn5, [])
        {
            Source = ModelFileName,
            UniformOptimum = dim >= 1 ? Core.Metrics.UniformityReference.UniformOptimum(dim, 2) : null,
        };
    }

    /// <summary>
    /// The epochs of <c>train.jsonl</c>, in order of epoch. A run stopped inside an epoch and resumed logs that epoch
    /// twice (the part before the stop, then the rest): such lines are merged into one, each weighted by its
    /// <c>steps</c> (1 when absent), so the point is the mean over all of the epoch's steps.
    /// </summary>
    private static List<EpochPoint> ReadLog(string path)
    {
        var epochs = new SortedDictionary<int, (double Steps, double Loss, double Alignment, double Uniformity, double LearningRate)>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var where = F($"{path} line {number}");
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                throw new HypersphereException(ErrorKind.Corrupt, $"{where} is not JSON ({e.Message}): expected one object per line with epoch, loss, alignment, uniformity and learning_rate", e);
            }

            using (document)
            {
                var root = Object(document.RootElement, where, "one object per line");
                var epoch = OptionalInt(root, "epoch", where) ?? throw Corrupt(where, "field 'epoch' to be an integer");
                var steps = (double)(OptionalInt(root, "steps", where) ?? 1);
                var loss = RequiredDouble(root, "loss", where);
                var alignment = RequiredDouble(root, "alignment", where);
                var uniformity = RequiredDouble(root, "uniformity", where);
                var rate = RequiredDouble(root, "learning_rate", where);
                if (epochs.TryGetValue(epoch, out var seen) && seen.Steps + steps > 0)
                {
                    var total = seen.Steps + steps;
                    double Mean(double a, double b) => ((a * seen.Steps) + (b * steps)) / total;
                    epochs[epoch] = (total, Mean(seen.Loss, loss), Mean(seen.Alignment, alignment), Mean(seen.Uniformity, uniformity), rate);
                }
                else
                {
                    epochs[epoch] = (steps, loss, alignment, uniformity, rate);
                }
            }
        }

        return epochs.Select(e => new EpochPoint(e.Key, e.Value.Loss, e.Value.Alignment, e.Value.Uniformity, e.Value.LearningRate)).ToList();
    }

    private static JsonDocument Parse(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonDocument.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new HypersphereException(ErrorKind.Corrupt, $"{path} is not valid JSON ({e.Message}): expected one JSON object", e);
        }
    }

    private static JsonElement Object(JsonElement element, string where, string expected) =>
        element.ValueKind == JsonValueKind.Object ? element : throw Corrupt(where, expected + F($", not {element.ValueKind.ToString().ToLowerInvariant()}"));

    private static string RequiredString(JsonElement root, string field, string where) =>
        root.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(value.GetString())
            ? value.GetString()!
            : throw Corrupt(where, $"field '{field}' to be a non-empty string");

    private static double RequiredDouble(JsonElement root, string field, string where) =>
        OptionalDouble(root, field, where) ?? throw Corrupt(where, $"field '{field}' to be a number");

    private static double? OptionalDouble(JsonElement root, string field, string where, string prefix = "")
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number)
            ? number
            : throw Corrupt(where, $"field '{prefix}{field}' to be a finite number or null, but it is {Describe(value)}");
    }

    private static int? OptionalInt(JsonElement root, string field, string where)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= 0
            ? number
            : throw Corrupt(where, $"field '{field}' to be a non-negative integer, but it is {Describe(value)}");
    }

    private static string Describe(JsonElement value)
    {
        var raw = value.GetRawText();
        return raw.Length <= 40 ? raw : raw[..40] + "…";
    }

    private static HypersphereException Corrupt(string where, string expected) =>
        new(ErrorKind.Corrupt, $"{where}: expected {expected}");
}
