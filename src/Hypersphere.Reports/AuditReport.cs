using System.Text;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Metrics;
using Hypersphere.Core.Quality;
using static Hypersphere.Reports.ReportText;

namespace Hypersphere.Reports;

/// <summary>A built audit: the numbers, the figures, and the HTML page showing both.</summary>
/// <param name="Report">Core's report (the JSON is <see cref="QualityJson.Serialize"/> of it).</param>
/// <param name="Figures">The figures, in the order the page shows them.</param>
/// <param name="Html">One self-contained HTML document: inline SVG and CSS, no script, no external fetch.</param>
public sealed record AuditDocument(QualityReport Report, IReadOnlyList<Figure> Figures, string Html)
{
    /// <summary>Exactly what <c>hypersphere quality</c> prints for the same input.</summary>
    public string Json => QualityJson.Serialize(Report);

    /// <summary>
    /// The report as an HTML fragment for embedding in a page: one root element
    /// <c>&lt;article class="hs-report" data-report="audit"&gt;</c> holding the title, sources, verdict,
    /// warnings, the table of numbers and the figures as inline SVG. No <c>&lt;style&gt;</c> (serve
    /// <see cref="ReportStyles.Css"/> with the page), no script, no external reference; every user string
    /// (title, sources, labels, also inside the SVG) is escaped. <see cref="Html"/> is this fragment inside a
    /// complete document with <see cref="ReportStyles.Css"/> inlined.
    /// <para>Markers for tests and scripts (stable):</para>
    /// <list type="bullet">
    /// <item><description>Every number of the report is in an element with <c>data-metric</c> = its path in the JSON
    /// (<see cref="Json"/>, snake_case, nested fields joined by dots): <c>n</c>, <c>dim</c>, <c>alpha</c>, <c>t</c>,
    /// <c>alignment</c>, <c>uniformity</c>, <c>uniformity_positives</c>, <c>uniformity_mean</c>,
    /// <c>reference.uniform_optimum</c>, <c>reference.finite_n_bound</c>, <c>rank_me</c>, <c>mean_cosine</c>,
    /// <c>std_sqrt_d</c>, <c>knn_accuracy.k5</c>, <c>knn_accuracy.k20_weighted</c>, and <c>verdict.status</c>
    /// (its text is the status word).</description></item>
    /// <item><description>The same element's <c>data-value</c> holds the exact value as the JSON writes it: the
    /// round-trip form (<c>double.ToString("R", InvariantCulture)</c>), so <c>parseFloat(data-value)</c> equals the
    /// JSON number; its text is the value rounded for people (four decimals, or six significant digits).
    /// A value the report does not have (no positives, no labels) has <c>data-value="null"</c>, like the JSON's null.</description></item>
    /// <item><description>Each figure is <c>&lt;figure data-figure="{Id}"&gt;</c> (ids in <see cref="ReportFigures"/>) holding
    /// one inline <c>&lt;svg&gt;</c> and a <c>&lt;figcaption&gt;</c>.</description></item>
    /// <item><description>The verdict is <c>&lt;div class="hs-verdict" data-status="{status}"&gt;</c>; warnings are the
    /// <c>&lt;li&gt;</c> of <c>&lt;ul class="hs-warnings"&gt;</c>.</description></item>
    /// </list>
    /// </summary>
    public string Fragment { get; init; } = string.Empty;
}

/// <summary>Builds the audit report of one batch of embeddings.</summary>
public static class AuditReport
{
    /// <summary>
    /// Draws the figures that apply to <paramref name="input"/> — the alignment–uniformity plane, the
    /// positive-pair distances (with positives), the all-pair cosines against the uniform sphere, the
    /// singular-value spectrum, and the features on the circle (d = 2) — and lays out the page.
    /// </summary>
    public static AuditDocument Build(AuditInput input, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        options ??= new ReportOptions();
        var report = input.Report;
        var x = input.Embeddings;
        if (x.Rows != report.N || x.Dim != report.Dim)
        {
            throw new ArgumentException($"the report is of {report.N}×{report.Dim} embeddings, but the input has {x.Rows}×{x.Dim}", nameof(input));
        }

        if (input.Labels is not null && input.Labels.Count != x.Rows)
        {
            throw new ArgumentException($"{input.Labels.Count} labels for {x.Rows} rows", nameof(input));
        }

        // The figures are independent: drawn side by side on the cores the analysis has just released (ScottPlot's
        // plots share nothing; each SVG's clip ids are renumbered per figure), shown in this order.
        List<Func<Figure>> draw = [Plane(report), .. Independent(x, input.Positives, input.Labels, report.Alpha, report.Alignment, options)];
        var figures = DrawAll(draw);

        var fragment = Fragment(input, figures);
        return new AuditDocument(report, figures, HtmlPage.Document(input.Title, fragment)) { Fragment = fragment };
    }

    /// <summary>
    /// Core's analysis and the report in one: <see cref="QualityAnalyzer.Analyze"/> on the inputs (the same report, to
    /// the bit, as calling it directly) while the figures that need none of its numbers — positive distances, cosines,
    /// spectrum, circle — are drawn beside it; then the plane. What <see cref="Build"/> gives for the same inputs, in
    /// about the time of the analysis alone when it leaves a core free.
    /// </summary>
    /// <param name="embeddings">The embeddings (unit rows).</param>
    /// <param name="positives">Positive views paired row for row, or null.</param>
    /// <param name="labels">Class label of each row as the user spelled it, or null.</param>
    /// <param name="quality">α, t and the cores of the analysis.</param>
    /// <param name="warnings">Caveats to carry into the report (as <see cref="QualityAnalyzer.Analyze"/> takes them).</param>
    /// <param name="title">Heading of the report (escaped).</param>
    /// <param name="sources">Where the inputs came from (escaped).</param>
    /// <param name="options">Report settings.</param>
    /// <exception cref="Core.Errors.HypersphereException">The inputs are invalid, exactly as <see cref="QualityAnalyzer.Analyze"/> says.</exception>
    public static AuditDocument Analyze(
        EmbeddingMatrix embeddings,
        EmbeddingMatrix? positives,
        IReadOnlyList<string>? labels,
        QualityOptions? quality = null,
        IEnumerable<string>? warnings = null,
        string title = "Embedding audit",
        IReadOnlyList<string>? sources = null,
        ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        quality ??= new QualityOptions();
        options ??= new ReportOptions();
        var ids = labels is null ? null : LabelSet.ToIds(labels);

        // Drawn only on inputs the analysis would accept as far as the figures are concerned (α, pair shapes); anything
        // else the analysis rejects, and its error is the one reported.
        Task<Figure[]>? early = null;
        if (IsValid(quality.Alpha, Alignment.CheckAlpha) && (positives is null || IsValid(positives, p => Alignment.CheckPairs(embeddings, p)))
            && (labels is null || labels.Count == embeddings.Rows))
        {
            var independent = Independent(embeddings, positives, labels, quality.Alpha, measured: null, options);
            early = Task.Run(() => DrawAll(independent));
        }

        QualityReport report;
        try
        {
            report = QualityAnalyzer.Analyze(embeddings, positives, ids, quality, warnings);
        }
        catch
        {
            // The drawing was on inputs the analysis then refused: wait for it so nothing outlives the call, and keep
            // the analysis's error.
            try
            {
                early?.Wait();
            }
            catch (AggregateException)
            {
            }

            throw;
        }

        var input = new AuditInput(embeddings, positives, labels, report, title, sources);
        Figure[] figures = [Plane(report)(), .. early is null ? DrawAll(Independent(embeddings, positives, labels, report.Alpha, report.Alignment, options)) : early.GetAwaiter().GetResult()];
        var fragment = Fragment(input, figures);
        return new AuditDocument(report, figures, HtmlPage.Document(title, fragment)) { Fragment = fragment };
    }

    private static bool IsValid<T>(T value, Action<T> check)
    {
        try
        {
            check(value);
            return true;
        }
        catch (Core.Errors.HypersphereException)
        {
            return false;
        }
    }

    /// <summary>The alignment–uniformity plane of the report's point(s).</summary>
    private static Func<Figure> Plane(QualityReport report)
    {
        if (report.Alignment is { } alignment)
        {
            var points = new List<PlanePoint> { new("embeddings", report.Uniformity, alignment, null) };
            if (report.UniformityPositives is { } positivesUniformity)
            {
                points.Add(new PlanePoint("positive views", positivesUniformity, alignment, null));
            }

            return () => ReportFigures.Plane(points, [], report.Dim, report.T, report.N, report.Alpha, "downstream accuracy");
        }

        return () => ReportFigures.Plane([], [("embeddings", report.Uniformity)], report.Dim, report.T, report.N, report.Alpha, "downstream accuracy");
    }

    /// <summary>
    /// The figures that need no number of the report, in the page's order after the plane; the positive distances mark
    /// <paramref name="measured"/> alignment, or compute it (Core's same deterministic sum) when not given.
    /// </summary>
    private static List<Func<Figure>> Independent(EmbeddingMatrix x, EmbeddingMatrix? positives, IReadOnlyList<string>? labels, double alpha, double? measured, ReportOptions options)
    {
        var draw = new List<Func<Figure>>();
        if (positives is not null)
        {
            draw.Add(() => ReportFigures.PositiveDistances(x, positives, alpha, measured ?? Alignment.Compute(x, positives, alpha)));
        }

        draw.Add(() => ReportFigures.CosineHistogram(x, options));
        draw.Add(() => ReportFigures.SingularSpectrum(RankMe.Spectrum(x)));
        if (x.Dim == 2)
        {
            draw.Add(() => ReportFigures.CircleDensity(x, labels, options));
        }

        return draw;
    }

    private static Figure[] DrawAll(List<Func<Figure>> draw)
    {
        var figures = new Figure[draw.Count];
        Parallel.For(0, draw.Count, k => figures[k] = draw[k]());
        return figures;
    }

    private static string Fragment(AuditInput input, IReadOnlyList<Figure> figures)
    {
        var r = input.Report;
        var html = new StringBuilder(64 * 1024);
        html.Append("<article class=\"hs-report\" data-report=\"audit\">\n<header>\n<h1>").Append(Html(input.Title)).Append("</h1>\n");
        if (input.Sources is { Count: > 0 } sources)
        {
            html.Append("<ul class=\"hs-sources\">");
            foreach (var source in sources)
            {
                html.Append("<li>").Append(Html(source)).Append("</li>");
            }

            html.Append("</ul>\n");
        }

        html.Append("<p class=\"hs-meta\">").Append(Metric("n", r.N)).Append(" embeddings of dimension d = ").Append(Metric("dim", r.Dim))
            .Append("; alignment exponent α = ").Append(Metric("alpha", r.Alpha)).Append(", uniformity kernel t = ").Append(Metric("t", r.T))
            .Append(input.Positives is null ? "; no positive views" : "; with positive views")
            .Append(input.Labels is null ? ", no labels." : F($", {input.Labels.Distinct(StringComparer.Ordinal).Count()} classes of labels."))
            .Append(r.Estimator == "sampled"
                ? F($" Uniformity is <span data-metric=\"estimator\" data-value=\"sampled\">estimated</span> from {Metric("pairs", r.Pairs)} random pairs, with 95 % intervals; RankMe from {Metric("rank_me_rows", r.RankMeRows)} rows.")
                : F($" <span data-metric=\"estimator\" data-value=\"exact\">Exact</span>: every one of the {Metric("pairs", r.Pairs)} pairs."))
            .Append("</p>\n</header>\n");

        html.Append("<div class=\"hs-verdict\" data-status=\"").Append(Html(r.Verdict.Status)).Append("\"><strong>Verdict: <span data-metric=\"verdict.status\" data-value=\"")
            .Append(Html(r.Verdict.Status)).Append("\">").Append(Html(r.Verdict.Status.Replace('_', ' '))).Append("</span></strong> — ").Append(Html(r.Verdict.Reason)).Append("</div>\n");
        if (r.Warnings.Count > 0)
        {
            html.Append("<ul class=\"hs-warnings\">");
            foreach (var warning in r.Warnings)
            {
                html.Append("<li>").Append(Html(warning)).Append("</li>");
            }

            html.Append("</ul>\n");
        }

        html.Append("<h2>Numbers and their references</h2>\n<table class=\"hs-metrics\">\n<thead><tr><th scope=\"col\">quantity</th><th scope=\"col\">value</th><th scope=\"col\">reference</th><th scope=\"col\">how to read it</th></tr></thead>\n<tbody>\n");
        var available = Math.Min(r.N, r.Dim);
        Row(html, "Uniformity L<sub>uniform</sub>(t)", "uniformity", r.Uniformity, r.UniformityCi,
            "uniform sphere optimum " + Metric("reference.uniform_optimum", r.Reference.UniformOptimum) + "<br/>finite-N bound " + Metric("reference.finite_n_bound", r.Reference.FiniteNBound),
            "lower is better; near the optimum means spread like uniform points; no N points can go below the bound");
        Row(html, "Alignment L<sub>align</sub>(α)", "alignment", r.Alignment, r.AlignmentCi,
            "0 = perfect (positives coincide)<br/>" + F($"2<sup>α</sup> = {Readable(Math.Pow(2, r.Alpha))} = antipodal"),
            r.Alignment is null ? "needs positive views" : "lower is better: mean of ‖f(x) − f(y)‖^α over the positive pairs");
        Row(html, "Uniformity of the positive views", "uniformity_positives", r.UniformityPositives,
            "same references as uniformity", r.UniformityPositives is null ? "needs positive views" : "lower is better; should be close to the embeddings' own");
        Row(html, "Mean uniformity of the two views", "uniformity_mean", r.UniformityMean,
            "same references as uniformity", r.UniformityMean is null ? "needs positive views" : "the quantity the paper's loss trains on");
        Row(html, "Mean cosine over pairs", "mean_cosine", r.MeanCosine,
            "0 = uniform on the sphere<br/>1 = all identical (collapse above " + Readable(CollapseVerdict.CollapsedMeanCosine) + ")",
            "closer to 0 is better");
        Row(html, "Per-dimension std × √d", "std_sqrt_d", r.StdSqrtD,
            "1 = uniform on the sphere<br/>0 = collapsed", "closer to 1 is better");
        Row(html, "RankMe (effective rank)", "rank_me", r.RankMe,
            F($"min(N, d) = {available} = every direction used<br/>dimensional collapse below {Readable(Math.Max(1.5, CollapseVerdict.DimensionalFraction * available))}"),
            "higher is better");
        var chance = input.Labels is null ? null : ChanceText(input.Labels);
        Row(html, "5-NN accuracy (leave-one-out)", "knn_accuracy.k5", r.KnnAccuracy?.K5,
            chance ?? "needs labels", r.KnnAccuracy is null ? "needs labels" : "higher is better: how well the geometry separates the labels");
        Row(html, "20-NN weighted accuracy", "knn_accuracy.k20_weighted", r.KnnAccuracy?.K20Weighted,
            chance ?? "needs labels", r.KnnAccuracy is null ? "needs labels" : "higher is better (neighbours vote exp(s/0.07))");
        html.Append("</tbody>\n</table>\n");

        AppendFigures(html, figures);
        html.Append("</article>");
        return html.ToString();
    }

    /// <summary>Chance level: the share of the largest class, what always guessing it scores.</summary>
    private static string ChanceText(IReadOnlyList<string> labels)
    {
        var largest = labels.GroupBy(l => l, StringComparer.Ordinal).Max(g => g.Count());
        return F($"chance (largest class) = {Readable((double)largest / labels.Count)}<br/>1 = perfect");
    }

    private static void Row(StringBuilder html, string name, string metric, double? value, string reference, string how) =>
        Row(html, name, metric, value, null, reference, how);

    /// <summary>A row whose value may carry a 95 % interval (<c>{metric}_ci.0</c> and <c>.1</c> in the markers).</summary>
    private static void Row(StringBuilder html, string name, string metric, double? value, IReadOnlyList<double>? ci, string reference, string how)
    {
        html.Append("<tr data-row=\"").Append(metric).Append("\"><th scope=\"row\">").Append(name).Append("</th><td class=\"hs-num\">")
            .Append(Metric(metric, value));
        if (ci is [var low, var high])
        {
            html.Append("<br/><small>95 % [").Append(Metric(metric + "_ci.0", low)).Append(", ").Append(Metric(metric + "_ci.1", high)).Append("]</small>");
        }

        html.Append("</td><td>").Append(reference).Append("</td><td class=\"hs-how\">").Append(how).Append("</td></tr>\n");
    }

    internal static string Metric(string metric, double? value) => value is { } v
        ? F($"<span data-metric=\"{metric}\" data-value=\"{Exact(v)}\">{Readable(v)}</span>")
        : F($"<span data-metric=\"{metric}\" data-value=\"null\">—</span>");

    internal static string Metric(string metric, long value) =>
        F($"<span data-metric=\"{metric}\" data-value=\"{value}\">{value}</span>");

    internal static void AppendFigures(StringBuilder html, IReadOnlyList<Figure> figures)
    {
        if (figures.Count == 0)
        {
            return;
        }

        html.Append("<h2>Figures</h2>\n<div class=\"hs-figures\">\n");
        foreach (var figure in figures)
        {
            html.Append(figure.ToHtml()).Append('\n');
        }

        html.Append("</div>\n");
    }
}

/// <summary>The page around a fragment.</summary>
internal static class HtmlPage
{
    public static string Document(string title, string fragment) =>
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n" +
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n<title>" +
        Html(title) + "</title>\n<style>\n" + ReportStyles.Css + "</style>\n</head>\n<body>\n" + fragment + "\n</body>\n</html>\n";
}
