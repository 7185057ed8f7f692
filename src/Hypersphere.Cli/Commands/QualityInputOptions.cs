using System.CommandLine;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.IO;
using Hypersphere.Core.Quality;

namespace Hypersphere.Cli.Commands;

/// <summary>
/// The options <c>quality</c> and <c>report</c> share (<c>--embeddings</c>, <c>--positives</c>, <c>--labels</c>,
/// <c>--alpha</c>, <c>--t</c>, <c>--normalize</c>), defined once, and the one way their files are read and analysed.
/// </summary>
internal sealed class QualityInputOptions
{
    /// <summary>Creates the options; <paramref name="embeddingsRequired"/> is false where another input can stand instead.</summary>
    public QualityInputOptions(bool embeddingsRequired)
    {
        Embeddings = new Option<FileInfo?>("--embeddings", "-e")
        {
            Description = "Embeddings, one row each: .npy (float32/float64, 2-D) or .csv",
            Required = embeddingsRequired,
        };
        Positives = new Option<FileInfo?>("--positives", "-p")
        {
            Description = "Positive views paired row for row with --embeddings (same format); enables alignment",
        };
        Labels = new Option<FileInfo?>("--labels", "-l")
        {
            Description = "Class labels: .npy of integers or a text file with one label a line; enables k-NN accuracy",
        };
        Alpha = new Option<double>("--alpha") { Description = "Alignment exponent α, in (0, 1000]", DefaultValueFactory = _ => 2 };
        T = new Option<double>("--t") { Description = "Uniformity kernel width t, in (0, 1e300]", DefaultValueFactory = _ => 2 };
        Normalize = new Option<bool>("--normalize") { Description = "L2-normalise rows instead of refusing rows that are not unit norm" };
    }

    public Option<FileInfo?> Embeddings { get; }

    public Option<FileInfo?> Positives { get; }

    public Option<FileInfo?> Labels { get; }

    public Option<double> Alpha { get; }

    public Option<double> T { get; }

    public Option<bool> Normalize { get; }

    /// <summary>All six, in the order help lists them.</summary>
    public IEnumerable<Option> All => [Embeddings, Positives, Labels, Alpha, T, Normalize];

    /// <summary>Reads the files named on <paramref name="parse"/> and analyses them (<c>--embeddings</c> must be present).</summary>
    public QualityInputs Load(ParseResult parse) => QualityInputs.Load(
        parse.GetValue(Embeddings)!.FullName,
        parse.GetValue(Positives)?.FullName,
        parse.GetValue(Labels)?.FullName,
        new QualityOptions(parse.GetValue(Alpha), parse.GetValue(T)),
        parse.GetValue(Normalize));
}

/// <summary>Embedding files as read and validated, with Core's report on them: what <c>quality</c> prints and <c>report</c> draws.</summary>
/// <param name="Embeddings">X.</param>
/// <param name="Positives">Y, paired row for row with X; null when not given.</param>
/// <param name="Labels">Labels as spelled in the file; null when not given.</param>
/// <param name="Report">Core's report.</param>
/// <param name="Sources">File names of the inputs, for a report's heading.</param>
internal sealed record QualityInputs(
    EmbeddingMatrix Embeddings,
    EmbeddingMatrix? Positives,
    IReadOnlyList<string>? Labels,
    QualityReport Report,
    IReadOnlyList<string> Sources)
{
    /// <summary>Reads the files and analyses them; every validation error surfaces as <see cref="Core.Errors.HypersphereException"/>.</summary>
    public static QualityInputs Load(string embeddingsPath, string? positivesPath, string? labelsPath, QualityOptions options, bool normalize)
    {
        var x = LoadMatrix(embeddingsPath, normalize, "embeddings");
        var y = positivesPath is null ? null : LoadMatrix(positivesPath, normalize, "positives");
        var labels = labelsPath is null ? null : EmbeddingFiles.ReadLabels(labelsPath);
        List<string> warnings = normalize ? ["rows were L2-normalised before measuring, as --normalize asked"] : [];
        var report = QualityAnalyzer.Analyze(x, y, labels is null ? null : LabelSet.ToIds(labels), options, warnings);
        var sources = new[] { ("embeddings", embeddingsPath), ("positives", positivesPath), ("labels", labelsPath) }
            .Where(s => s.Item2 is not null)
            .Select(s => $"{s.Item1}: {Path.GetFileName(s.Item2)}")
            .ToList();
        return new QualityInputs(x, y, labels, report, sources);
    }

    private static EmbeddingMatrix LoadMatrix(string path, bool normalize, string name)
    {
        var data = EmbeddingFiles.ReadMatrix(path);
        return EmbeddingMatrix.Create(data.Values, data.Rows, data.Cols, normalize, $"{name} ({Path.GetFileName(path)})");
    }
}
