using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Metrics;
using ScottPlot;
using Alignment = ScottPlot.Alignment;
using CoreAlignment = Hypersphere.Core.Metrics.Alignment;
using static Hypersphere.Reports.ReportText;

namespace Hypersphere.Reports;

/// <summary>
/// The figures of the reports, each usable on its own (the service draws the plane of its served models).
/// Every axis names its quantity and which way is better; reference values are drawn as lines.
/// </summary>
public static class ReportFigures
{
    /// <summary>Figure ids (file-name stems and <c>data-figure</c> values).</summary>
    public const string PlaneId = "alignment-uniformity-plane", PositiveDistancesId = "positive-distances",
        CosineId = "cosine-histogram", SpectrumId = "singular-spectrum", CircleId = "circle-density",
        TrainingLossId = "training-loss", TrainingAlignmentId = "training-alignment",
        TrainingUniformityId = "training-uniformity", TrainingLearningRateId = "training-learning-rate";

    /// <summary>
    /// The font family the figures are drawn with, found among the machine's fonts (Skia reads /usr/share/fonts;
    /// a Debian machine needs a font package such as fonts-dejavu-core); null when none was found, in which case
    /// figures carry no text at all, in SVG or PNG.
    /// </summary>
    public static string? FontFamily => FigureFactory.FontName;

    private const int DistanceBins = 50, CosineBins = 60, AngleGrid = 720, MaxClassCurves = 20, MaxRugPoints = 3_000;

    /// <summary>
    /// The alignment–uniformity plane (Wang &amp; Isola, Fig. 5): x = L_uniform(t), y = L_align(α), one labelled
    /// point per entry, coloured by <see cref="PlanePoint.Accuracy"/> with a colour bar when any is known
    /// (grey where unknown). The uniform-sphere optimum for <paramref name="dim"/> is a vertical line, and
    /// the finite-N bound −2tN/(N−1) another when <paramref name="n"/> is given. Lower-left is better.
    /// </summary>
    /// <param name="points">The points (labels are user text: escaped in the SVG).</param>
    /// <param name="dim">Embedding dimension d of the optimum line.</param>
    /// <param name="t">Uniformity kernel width t the points were measured with.</param>
    /// <param name="n">Number of embeddings, for the finite-N bound; null to omit it.</param>
    /// <param name="alpha">Alignment exponent α the points were measured with.</param>
    /// <param name="accuracyName">What the colour is, for the colour bar (e.g. "linear-probe accuracy").</param>
    public static Figure AlignmentUniformityPlane(IReadOnlyList<PlanePoint> points, int dim, double t, int? n, double alpha = 2, string accuracyName = "downstream accuracy") =>
        Plane(points, [], dim, t, n, alpha, accuracyName);

    internal static Figure Plane(IReadOnlyList<PlanePoint> points, IReadOnlyList<(string Label, double Uniformity)> uniformityOnly, int dim, double t, int? n, double alpha, string accuracyName)
    {
        ArgumentNullException.ThrowIfNull(points);
        var given = points.Count;
        points = points.Where(p => double.IsFinite(p.Uniformity) && double.IsFinite(p.Alignment)).ToList();
        uniformityOnly = uniformityOnly.Where(u => double.IsFinite(u.Uniformity)).ToList();
        var optimum = UniformityReference.UniformOptimum(dim, t);
        double? bound = n is >= 2 ? UniformityReference.FiniteNBound(n.Value, t) : null;
        // Huge t (up to 1e300) or α make values no axis can tick: such an axis is drawn in units of a power of ten.
        var xScale = AxisScale(points.Select(p => p.Uniformity).Concat(uniformityOnly.Select(u => u.Uniformity)).Append(optimum).Append(bound ?? 0));
        var yScale = AxisScale(points.Select(p => p.Alignment));
        var plot = FigureFactory.NewPlot(
            "Alignment–uniformity plane",
            F($"uniformity  L_uniform(t = {t:G4}){xScale.Label}  ← lower is better (more uniform)"),
            F($"L_align(α = {alpha:G4}){yScale.Label}  ← lower is better"));

        var xs = points.Select(p => p.Uniformity / xScale.Unit).Concat(uniformityOnly.Select(u => u.Uniformity / xScale.Unit)).Append(optimum / xScale.Unit).ToList();
        if (bound is not null)
        {
            xs.Add(bound.Value / xScale.Unit);
        }

        var ys = points.Select(p => p.Alignment / yScale.Unit).Append(0).ToList();
        var accuracies = points.Where(p => p.Accuracy is { } a && double.IsFinite(a)).Select(p => p.Accuracy!.Value).ToList();
        var colormap = new ScottPlot.Colormaps.Viridis();
        var low = accuracies.Count > 0 ? accuracies.Min() : 0;
        var high = accuracies.Count > 0 ? accuracies.Max() : 1;
        if (high - low < 1e-3)
        {
            low -= 0.005;
            high += 0.005;
        }

        var optimumLine = plot.Add.VerticalLine(optimum / xScale.Unit, 2f, Colors.DarkGreen);
        optimumLine.LegendText = F($"uniform sphere optimum (d = {dim}): {Readable(optimum)}");
        if (bound is not null)
        {
            var boundLine = plot.Add.VerticalLine(bound.Value / xScale.Unit, 2f, Colors.DarkRed);
            boundLine.LegendText = F($"finite-N bound −2tN/(N−1) (N = {n}): {Readable(bound.Value)}");
        }

        var perfect = plot.Add.HorizontalLine(0, 1f, Colors.Gray);
        perfect.LegendText = "perfect alignment (0)";

        foreach (var (label, uniformity) in uniformityOnly)
        {
            var line = plot.Add.VerticalLine(uniformity / xScale.Unit, 2f, Colors.SteelBlue);
            line.LegendText = Plot(label, 60) + F($": {Readable(uniformity)} (no positives: alignment unknown)");
        }

        // Each point carries its number; the legend below says which number is which label (long labels
        // next to points would print over each other).
        for (var index = 0; index < points.Count; index++)
        {
            var point = points[index];
            var color = point.Accuracy is { } a && double.IsFinite(a) ? colormap.GetColor((a - low) / (high - low))
                : accuracies.Count == 0 ? FigureFactory.Palette[index % FigureFactory.Palette.Length] : Colors.Gray;
            var marker = plot.Add.Marker(point.Uniformity / xScale.Unit, point.Alignment / yScale.Unit, MarkerShape.FilledCircle, 11, color);
            marker.MarkerLineColor = Colors.Black;
            marker.MarkerLineWidth = 1;
            marker.LegendText = F($"{index + 1}: ") + Plot(point.Label, 60) + (point.Accuracy is { } shown ? F($" ({Readable(shown)})") : string.Empty);
            var text = plot.Add.Text(F($"{index + 1}"), point.Uniformity / xScale.Unit, point.Alignment / yScale.Unit);
            text.LabelFontSize = 11;
            text.LabelBold = true;
            text.LabelAlignment = Alignment.LowerLeft;
            text.OffsetX = 6;
            text.OffsetY = -4;
            if (FigureFactory.FontName is not null)
            {
                text.LabelFontName = FigureFactory.FontName;
            }
        }

        if (accuracies.Count > 0)
        {
            var bar = plot.Add.ColorBar(new ColorScale(colormap, low, high), Edge.Right);
            bar.Label = Plot(accuracyName, 40) + " (higher is better)";
            bar.LabelStyle.FontSize = 12;
        }

        var xSpan = Math.Max(xs.Max() - xs.Min(), 0.3);
        var (_, yHigh) = Padded(ys.Min(), ys.Max(), 0.15, 0.1);
        plot.Axes.SetLimits(xs.Min() - (0.08 * xSpan), xs.Max() + (0.12 * xSpan), -0.06 * yHigh, yHigh);
        plot.ShowLegend(Edge.Bottom);
        plot.Legend.FontSize = 10;

        var caption = "Each numbered point is one set of embeddings (the legend names them): further left is more uniform, lower is better aligned, so lower-left is better. " +
            F($"The green line is L_uniform of points uniform on S^{dim - 1}, the value a very large uniform sample approaches") +
            (bound is null ? "." : F($"; the red line is −2tN/(N−1), below which no {n} points can go.")) +
            (accuracies.Count > 0 ? " Colour: " + accuracyName + " (grey where unknown)." : string.Empty) +
            (points.Count < given ? F($" {given - points.Count} of {given} points had no finite values and are not drawn.") : string.Empty);
        return FigureFactory.ToFigure(PlaneId, "Alignment–uniformity plane", caption, plot);
    }

    /// <summary>
    /// Histogram of the positive-pair distances ‖xᵢ − yᵢ‖ on [0, 2], with the alignment drawn as the distance
    /// it is the α-mean of: L_align^{1/α} (for α = 2 the root-mean-square distance), and √2, the typical
    /// distance of independent uniform points in high d.
    /// </summary>
    public static Figure PositiveDistances(EmbeddingMatrix embeddings, EmbeddingMatrix positives, double alpha, double alignment)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        ArgumentNullException.ThrowIfNull(positives);
        var distances = PositivePairDistances(embeddings, positives);
        // Bins over the data's range (a good model's distances are all small), the axis out to √2 at least.
        var reach = Math.Clamp(distances.Max() * 1.05, 0.02, 2);
        var histogram = Histogram.Of(distances, 0, reach, DistanceBins);
        var plot = FigureFactory.NewPlot(
            "Positive-pair distances",
            "distance ‖f(x) − f(y)‖ between positive views  ← lower is better",
            "density (fraction per unit distance)");
        AddBars(plot, histogram, Colors.SteelBlue.WithAlpha(0.75));
        var mean = Math.Pow(alignment, 1 / alpha);
        var line = plot.Add.VerticalLine(mean, 2f, Colors.DarkOrange);
        line.LegendText = F($"L_align^(1/α) = {Readable(mean)}  (L_align = {Readable(alignment)}, α = {alpha:G4})");
        // √2, the distance of unrelated points, is drawn when the data reach near it (else the bars would be slivers).
        var right = Math.Max(reach, mean * 1.1);
        if (right > 0.8)
        {
            var random = plot.Add.VerticalLine(Math.Sqrt(2), 1.5f, Colors.Gray);
            random.LegendText = "√2: independent random points (high d)";
            right = Math.Max(right, Math.Sqrt(2) * 1.06);
        }

        plot.Axes.SetLimits(0, right, 0, MaxDensity(histogram) * 1.15);
        plot.ShowLegend(mean > right / 2 ? Alignment.UpperLeft : Alignment.UpperRight);
        plot.Legend.FontSize = 10;
        var caption = F($"Distances between the {distances.Length} positive pairs (row i of the embeddings with row i of the positives). ") +
            F($"L_align(α) is the mean of distance^α, so the orange line is at L_align^(1/α), the distance it averages to ") +
            (Math.Abs(alpha - 2) < 1e-12 ? "(for α = 2 the root-mean-square distance, comparable to the bars but not their plain mean). " : "(the α-power mean of the bars, not their plain mean). ") +
            "Mass near 0 is good alignment; mass near √2 (drawn when the distances reach that far) means positives are as far apart as unrelated points.";
        return FigureFactory.ToFigure(PositiveDistancesId, "Positive-pair distances", caption, plot);
    }

    /// <summary>
    /// Density-normalised histogram of the cosines xᵢ·xⱼ over pairs i &lt; j (a seeded uniform sample of
    /// <see cref="ReportOptions.MaxCosinePairs"/> distinct pairs when there are more), against the exact
    /// density of u = x·y for x, y uniform on S^{d−1} (<see cref="SphereCosine.Density"/>; none for d = 1).
    /// </summary>
    public static Figure CosineHistogram(EmbeddingMatrix embeddings, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        options ??= new ReportOptions();
        var pairs = PairSample.Draw(embeddings.Rows, options.MaxCosinePairs, options.Seed);
        var cosines = PairCosines(embeddings, pairs);
        var dim = embeddings.Dim;
        var total = PairSample.PairCount(embeddings.Rows);

        // Range: the data's, widened to ±4 standard deviations of the uniform reference (1/√d), within [−1, 1].
        var spread = Math.Min(1, 4 / Math.Sqrt(dim));
        var low = Math.Max(-1, Math.Min(cosines.Min(), -spread));
        var high = Math.Min(1, Math.Max(cosines.Max(), spread));
        if (high - low < 1e-6)
        {
            low = Math.Max(-1, low - 0.05);
            high = Math.Min(1, high + 0.05);
        }

        var histogram = Histogram.Of(cosines, low, high, CosineBins);
        var plot = FigureFactory.NewPlot(
            "All-pair cosine similarity vs the uniform sphere",
            "cosine xᵢ·xⱼ of two different embeddings  (near 0 = spread out, near 1 = collapsed)",
            "density");
        AddBars(plot, histogram, Colors.SteelBlue.WithAlpha(0.75));
        var yMax = MaxDensity(histogram);
        string reference;
        if (dim >= 2)
        {
            var xs = new double[400];
            var ys = new double[xs.Length];
            for (var k = 0; k < xs.Length; k++)
            {
                xs[k] = low + ((high - low) * (k + 0.5) / xs.Length);
                ys[k] = SphereCosine.Density(dim, xs[k]);
            }

            var curve = plot.Add.ScatterLine(xs, ys, Colors.DarkRed);
            curve.LineWidth = 2;
            curve.LegendText = F($"exact density for uniform points on S^{dim - 1}");
            var finite = ys.Where(double.IsFinite).ToArray();
            yMax = Math.Max(yMax, dim == 2 ? Math.Min(finite.Max(), Math.Max(yMax, 2)) : finite.Max());
            reference = dim == 2
                ? "The red curve is the arcsine density 1/(π√(1−u²)) of two independent uniform points on the circle (it grows without bound at ±1; the axis is cut)."
                : F($"The red curve is the exact density Γ(d/2)/(√π Γ((d−1)/2))·(1−u²)^((d−3)/2) of the cosine of two independent uniform points on S^{dim - 1} (d = {dim}).");
        }
        else
        {
            reference = "For d = 1 every cosine is ±1 and there is no density to draw: no reference curve.";
        }

        var zero = plot.Add.VerticalLine(0, 1f, Colors.Gray);
        zero.LegendText = "0: orthogonal (ideal mean)";
        plot.Axes.SetLimits(low, high, 0, yMax * 1.12);
        plot.ShowLegend(Alignment.UpperRight);
        plot.Legend.FontSize = 10;
        var sampled = pairs.Length < total
            ? F($"Sampled {pairs.Length} of {total} pairs uniformly (seed {options.Seed}). ")
            : F($"All {total} pairs. ");
        var caption = sampled + reference + " Bars to the right of the curve mean the embeddings are more similar than uniform points; a spike near 1 is collapse.";
        return FigureFactory.ToFigure(CosineId, "All-pair cosine similarity", caption, plot);
    }

    /// <summary>
    /// The normalised singular values pₖ = σₖ/Σσ of the embeddings (<see cref="RankMe.Spectrum"/>), largest
    /// first, on a log axis, with RankMe = exp(−Σ pₖ log pₖ) marked and the flat spectrum 1/min(N, d) drawn.
    /// </summary>
    public static Figure SingularSpectrum(EmbeddingMatrix embeddings) => SingularSpectrum(RankMe.Spectrum(embeddings));

    /// <summary>The spectrum figure from an already computed <see cref="RankMe.Spectrum"/>.</summary>
    public static Figure SingularSpectrum(IReadOnlyList<double> spectrum)
    {
        ArgumentNullException.ThrowIfNull(spectrum);
        const double Floor = 1e-12;
        var p = spectrum.ToArray();
        var rankMe = RankMe.FromSpectrum(p);
        var ks = Enumerable.Range(1, p.Length).Select(k => (double)k).ToArray();
        var logs = p.Select(v => Math.Log10(Math.Max(v, Floor))).ToArray();
        var plot = FigureFactory.NewPlot(
            "Singular-value spectrum",
            "index k of the singular value (largest first)",
            "pₖ = σₖ/Σσ  (log scale; flatter is better)");
        var line = plot.Add.ScatterLine(ks, logs, Colors.SteelBlue);
        line.LineWidth = 2;
        line.MarkerSize = p.Length <= 64 ? 4 : 0;
        line.LegendText = "pₖ";
        var flat = plot.Add.HorizontalLine(Math.Log10(1.0 / p.Length), 1.5f, Colors.DarkGreen);
        flat.LegendText = F($"flat spectrum 1/min(N, d) = 1/{p.Length}: RankMe = {p.Length}, the best");
        var mark = plot.Add.VerticalLine(rankMe, 2f, Colors.DarkOrange);
        mark.LegendText = F($"RankMe = {rankMe:F1} of {p.Length} (higher is better)");
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            IntegerTicksOnly = true,
            LabelFormatter = v => F($"1e{Math.Round(v):0}"),
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        };
        var yLow = Math.Floor(logs.Min()) - 0.2;
        var yHigh = Math.Max(0, Math.Ceiling(logs.Max())) + 0.2;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Axes.SetLimits(0.5, p.Length + 0.5, yLow, yHigh);
        plot.ShowLegend(Alignment.UpperRight);
        plot.Legend.FontSize = 10;
        var caption = F($"The {p.Length} singular values of the embedding matrix, divided by their sum. ") +
            "RankMe is exp of their entropy: the number of directions the embeddings really use. A curve that falls off a cliff means dimensional collapse; " +
            F($"a flat curve at 1/{p.Length} uses every direction equally.") +
            (p.Any(v => v < Floor) ? " Values below 1e-12 are drawn at 1e-12." : string.Empty);
        return FigureFactory.ToFigure(SpectrumId, "Singular-value spectrum", caption, plot);
    }

    /// <summary>
    /// For d = 2: the density of the angle atan2(x₂, x₁) over [−π, π) as a von Mises kernel density on the
    /// circle (Wang &amp; Isola, Fig. 3), one curve per class when <paramref name="labels"/> are given (at most
    /// 20 classes), plus every point as a tick below the curves (a seeded sample of 3 000 above that, which looks the same).
    /// </summary>
    /// <exception cref="ArgumentException">The embeddings are not 2-dimensional.</exception>
    public static Figure CircleDensity(EmbeddingMatrix embeddings, IReadOnlyList<string>? labels, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        options ??= new ReportOptions();
        if (embeddings.Dim != 2)
        {
            throw new ArgumentException($"the circle figure needs d = 2, but the embeddings have d = {embeddings.Dim}", nameof(embeddings));
        }

        if (labels is not null && labels.Count != embeddings.Rows)
        {
            throw new ArgumentException($"{labels.Count} labels for {embeddings.Rows} rows", nameof(labels));
        }

        var angles = new double[embeddings.Rows];
        for (var i = 0; i < angles.Length; i++)
        {
            var row = embeddings.Row(i);
            angles[i] = Math.Atan2(row[1], row[0]);
        }

        var plot = FigureFactory.NewPlot(
            "Features on the circle S¹",
            "angle atan2(x₂, x₁)  (radians, −π to π)",
            "angle density  (flat at 1/2π is uniform)");
        var grid = new double[AngleGrid];
        for (var k = 0; k < grid.Length; k++)
        {
            grid[k] = -Math.PI + (2 * Math.PI * k / grid.Length);
        }

        var groups = new List<(string Name, int[] Rows)>();
        var classes = labels?.Distinct(StringComparer.Ordinal).ToList();
        var perClass = classes is not null && classes.Count <= MaxClassCurves;
        if (perClass)
        {
            foreach (var name in classes!)
            {
                groups.Add((name, Enumerable.Range(0, angles.Length).Where(i => string.Equals(labels![i], name, StringComparison.Ordinal)).ToArray()));
            }
        }
        else
        {
            groups.Add(("all points", Enumerable.Range(0, angles.Length).ToArray()));
        }

        var yMax = 1 / (2 * Math.PI);
        for (var g = 0; g < groups.Count; g++)
        {
            var color = FigureFactory.Palette[g % FigureFactory.Palette.Length];
            var density = VonMisesDensity(groups[g].Rows.Select(i => angles[i]).ToArray(), grid);
            var closedX = grid.Append(Math.PI).ToArray();
            var closedY = density.Append(density[0]).ToArray();
            var curve = plot.Add.ScatterLine(closedX, closedY, color);
            curve.LineWidth = 2;
            curve.LegendText = Plot(groups[g].Name, 30) + F($" (n = {groups[g].Rows.Length})");
            yMax = Math.Max(yMax, density.Max());
        }

        var uniform = plot.Add.HorizontalLine(1 / (2 * Math.PI), 1.5f, Colors.Gray);
        uniform.LegendText = "uniform on the circle: 1/2π";

        // Every point as a tick below the axis line, per group, a seeded sample above MaxRugPoints.
        var rugRows = Enumerable.Range(0, angles.Length).ToArray();
        if (rugRows.Length > MaxRugPoints)
        {
            new Random(options.Seed).Shuffle(rugRows);
            rugRows = rugRows[..MaxRugPoints];
            Array.Sort(rugRows);
        }

        var groupOf = new int[angles.Length];
        for (var g = 0; g < groups.Count; g++)
        {
            foreach (var i in groups[g].Rows)
            {
                groupOf[i] = g;
            }
        }

        var rugDepth = yMax * 0.08;
        for (var g = 0; g < groups.Count; g++)
        {
            var rows = rugRows.Where(i => groupOf[i] == g).ToArray();
            if (rows.Length == 0)
            {
                continue;
            }

            var y = -rugDepth * (1 + (g % 4)) / 4.5;
            var markers = plot.Add.Markers(rows.Select(i => angles[i]).ToArray(), rows.Select(_ => y).ToArray(), MarkerShape.VerticalBar, 5, FigureFactory.Palette[g % FigureFactory.Palette.Length].WithAlpha(0.5));
            markers.LegendText = string.Empty;
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [-Math.PI, -Math.PI / 2, 0, Math.PI / 2, Math.PI], ["−π", "−π/2", "0", "π/2", "π"]);
        plot.Axes.SetLimits(-Math.PI, Math.PI, -rugDepth * 1.1, yMax * 1.15);
        plot.ShowLegend(Edge.Bottom);
        plot.Legend.FontSize = 10;
        var kernel = "a von Mises kernel density (bandwidth by Silverman's rule on the circular spread)";
        var caption = F($"The angle of each of the {angles.Length} points on the unit circle, as {kernel}") +
            (perClass ? ", one curve per class." : classes is not null ? F($"; {classes.Count} classes are too many for one curve each, so one curve for all.") : ".") +
            " Uniformity wants each curve flat at 1/2π (grey line); the ticks below the axis are the points" +
            (rugRows.Length < angles.Length ? F($" ({rugRows.Length} of {angles.Length}, seeded sample).") : ".") +
            " With labels, well-separated classes show as separate bumps.";
        return FigureFactory.ToFigure(CircleId, "Features on the circle", caption, plot);
    }

    /// <summary>
    /// Training curves, one figure per quantity (loss, alignment, uniformity, learning rate per epoch), one
    /// line per run that has epochs; none when no run has. Uniformity shows each run's uniform optimum
    /// when its <c>eval.json</c> gave one.
    /// </summary>
    public static IReadOnlyList<Figure> TrainingCurves(IReadOnlyList<RunSummary> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var withEpochs = runs.Where(r => r.Epochs.Count > 0).ToList();
        if (withEpochs.Count == 0)
        {
            return [];
        }

        return
        [
            Curves(withEpochs, TrainingLossId, "Training loss", "loss  ← lower is better", e => e.Loss, null,
                "Mean training loss per epoch (from train.jsonl). Compare shapes, not values, across losses: each loss has its own scale."),
            Curves(withEpochs, TrainingAlignmentId, "Alignment during training", "L_align(α = 2) on training batches  ← lower is better", e => e.Alignment, null,
                "Mean alignment of the augmented positive pairs per epoch; the grey line is 0, perfect alignment."),
            Curves(withEpochs, TrainingUniformityId, "Uniformity during training", "L_uniform(t = 2) on training batches  ← lower is better", e => e.Uniformity, r => r.UniformOptimum,
                "Mean uniformity per epoch. The flat line in a run's colour is the uniform-sphere optimum for the run's d, when its eval.json names it; batch estimates can dip below it (finite-N bound −2tN/(N−1))."),
            Curves(withEpochs, TrainingLearningRateId, "Learning rate", "learning rate", e => e.LearningRate, null,
                "Learning rate of each epoch, as the schedule set it; on a log axis when it spans a factor of 10 or more."),
        ];
    }

    private static Figure Curves(List<RunSummary> runs, string id, string title, string yLabel, Func<EpochPoint, double> value, Func<RunSummary, double?>? reference, string caption)
    {
        // A step schedule spans decades: the learning rate is drawn on a log axis when all of it is positive and it does.
        var values = runs.SelectMany(r => r.Epochs).Select(value).ToList();
        var logScale = id == TrainingLearningRateId && values.All(v => v > 0 && double.IsFinite(v)) && values.Max() >= 10 * values.Min();
        var plot = FigureFactory.NewPlot(title, "epoch", logScale ? yLabel + "  (log scale)" : yLabel);
        if (logScale)
        {
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                IntegerTicksOnly = true,
                LabelFormatter = v => F($"1e{Math.Round(v):0}"),
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            };
        }

        if (id == TrainingAlignmentId)
        {
            var perfect = plot.Add.HorizontalLine(0, 1f, Colors.Gray);
            perfect.LegendText = "perfect alignment (0)";
        }

        for (var r = 0; r < runs.Count; r++)
        {
            var color = FigureFactory.Palette[r % FigureFactory.Palette.Length];
            var epochs = runs[r].Epochs;
            var ys = epochs.Select(value).Select(v => logScale ? Math.Log10(v) : v).ToArray();
            var line = plot.Add.Scatter(epochs.Select(e => (double)e.Epoch).ToArray(), ys, color);
            line.LineWidth = 2;
            line.MarkerSize = epochs.Count <= 60 ? 5 : 0;
            line.LegendText = Plot(runs[r].Label, 40);
            if (reference?.Invoke(runs[r]) is { } level)
            {
                var h = plot.Add.HorizontalLine(level, 1.5f, color);
                h.LegendText = Plot(runs[r].Label, 30) + F($": uniform optimum {Readable(level)}");
            }
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.ShowLegend(Alignment.UpperRight);
        plot.Legend.FontSize = 10;
        return FigureFactory.ToFigure(id, title, caption, plot);
    }

    /// <summary>‖xᵢ − yᵢ‖ for every row (the square roots of Core's <see cref="CoreAlignment.SquaredDistances"/>).</summary>
    internal static double[] PositivePairDistances(EmbeddingMatrix x, EmbeddingMatrix y)
    {
        var distances = CoreAlignment.SquaredDistances(x, y);
        for (var i = 0; i < distances.Length; i++)
        {
            distances[i] = Math.Sqrt(distances[i]);
        }

        return distances;
    }

    /// <summary>xᵢ·xⱼ for each pair (rows are unit, so this is the cosine).</summary>
    internal static double[] PairCosines(EmbeddingMatrix x, (int I, int J)[] pairs)
    {
        var cosines = new double[pairs.Length];
        for (var k = 0; k < pairs.Length; k++)
        {
            cosines[k] = System.Numerics.Tensors.TensorPrimitives.Dot(x.Row(pairs[k].I), x.Row(pairs[k].J));
        }

        return cosines;
    }

    /// <summary>
    /// Von Mises kernel density of <paramref name="angles"/> at <paramref name="grid"/> (equally spaced over a
    /// full turn), normalised on the grid to integrate to 1. κ = 1/h² with h = 1.06·σ·n^(−1/5), σ the circular
    /// standard deviation √(−2 ln R̄), kept within [2, 5000] so the grid resolves the kernel.
    /// </summary>
    internal static double[] VonMisesDensity(double[] angles, double[] grid)
    {
        var density = new double[grid.Length];
        if (angles.Length == 0)
        {
            return density;
        }

        double c = 0, s = 0;
        foreach (var a in angles)
        {
            c += Math.Cos(a);
            s += Math.Sin(a);
        }

        var resultant = Math.Sqrt((c * c) + (s * s)) / angles.Length;
        var sigma = Math.Sqrt(-2 * Math.Log(Math.Clamp(resultant, 1e-12, 1 - 1e-12)));
        var h = 1.06 * Math.Min(sigma, Math.PI) * Math.Pow(angles.Length, -0.2);
        var kappa = Math.Clamp(1 / (h * h), 2, 5000);
        var cosA = angles.Select(Math.Cos).ToArray();
        var sinA = angles.Select(Math.Sin).ToArray();
        Parallel.For(0, grid.Length, k =>
        {
            var cg = Math.Cos(grid[k]);
            var sg = Math.Sin(grid[k]);
            var sum = 0.0;
            for (var i = 0; i < cosA.Length; i++)
            {
                // cos(θ − θᵢ) − 1 ≤ 0: no overflow for large κ.
                sum += Math.Exp(kappa * ((cg * cosA[i]) + (sg * sinA[i]) - 1));
            }

            density[k] = sum;
        });

        var step = 2 * Math.PI / grid.Length;
        var integral = density.Sum() * step;
        for (var k = 0; k < density.Length; k++)
        {
            density[k] /= integral;
        }

        return density;
    }

    private static ScottPlot.Plottables.BarPlot AddBars(Plot plot, Histogram histogram, Color color)
    {
        var bars = new List<Bar>(histogram.Counts.Length);
        for (var k = 0; k < histogram.Counts.Length; k++)
        {
            bars.Add(new Bar
            {
                Position = histogram.Center(k),
                Value = histogram.Density(k),
                Size = histogram.Width,
                FillColor = color,
                LineWidth = 0,
            });
        }

        var plottable = plot.Add.Bars(bars);
        plottable.LegendText = F($"histogram ({histogram.Total} values)");
        return plottable;
    }

    private static double MaxDensity(Histogram histogram)
    {
        var max = 0.0;
        for (var k = 0; k < histogram.Counts.Length; k++)
        {
            max = Math.Max(max, histogram.Density(k));
        }

        return max > 0 ? max : 1;
    }

    /// <summary>1 for ordinary values; 10^k with a label "  (×1e{k})" when the largest magnitude is beyond 1e6 or below 1e-6.</summary>
    private static (double Unit, string Label) AxisScale(IEnumerable<double> values)
    {
        var largest = values.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
        if (largest == 0 || (largest < 1e6 && largest > 1e-6))
        {
            return (1, string.Empty);
        }

        var k = (int)Math.Floor(Math.Log10(largest));
        return (Math.Pow(10, k), F($"  (×1e{k})"));
    }

    private static (double Low, double High) Padded(double low, double high, double fraction, double minimum)
    {
        var span = Math.Max(high - low, minimum);
        return (low - (fraction * span), high + (fraction * span));
    }

    /// <summary>A colour axis for the colour bar of the plane.</summary>
    private sealed class ColorScale(IColormap colormap, double low, double high) : IHasColorAxis
    {
        public IColormap Colormap { get; } = colormap;

        public ScottPlot.Range GetRange() => new(low, high);
    }
}
