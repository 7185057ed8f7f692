using System.CommandLine;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.IO;
using Hypersphere.Core.Metrics;
using Hypersphere.Core.Quality;

namespace Hypersphere.Cli.Commands;

/// <summary>
/// The options <c>quality</c> and <c>report</c> share (<c>--embeddings</c>, <c>--positives</c>, <c>--labels</c>,
/// <c>--alpha</c>, <c>--t</c>, <c>--normalize</c>, and the sampling ones), defined once, and the one way their files are read and analysed.
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
        SamplePairs = new Option<long?>("--sample-pairs")
        {
            Description = "Estimate uniformity from this many uniformly drawn pairs (and alignment from as many positive pairs), with 95 % intervals",
        };
        Error = new Option<double?>("--error") { Description = "Estimate from as many pairs as a 95 % half-width of about this on uniformity needs" };
        Seed = new Option<int>("--seed") { Description = "Seed of the sampled pairs and rows", DefaultValueFactory = _ => 0 };
        Exact = new Option<bool>("--exact")
        {
            Description = $"Visit every pair, however many (by default inputs above {SamplingOptions.DefaultAutoAbovePairs:N0} pairs are sampled for a half-width of {SamplingOptions.DefaultError})",
        };
        Precision = new Option<string?>("--precision")
        {
            Description = "Arithmetic of the exact uniformity kernel: single (float32 dot products, about 2× faster) or double; default single for float32 .npy files, double otherwise",
            HelpName = "single|double",
        };
        Precision.AcceptOnlyFromAmong("single", "double");
    }

    public Option<FileInfo?> Embeddings { get; }

    public Option<FileInfo?> Positives { get; }

    public Option<FileInfo?> Labels { get; }

    public Option<double> Alpha { get; }

    public Option<double> T { get; }

    public Option<bool> Normalize { get; }

    public Option<long?> SamplePairs { get; }

    public Option<double?> Error { get; }

    public Option<int> Seed { get; }

    public Option<bool> Exact { get; }

    public Option<string?> Precision { get; }

    /// <summary>All of them, in the order help lists them.</summary>
    public IEnumerable<Option> All => [Embeddings, Positives, Labels, Alpha, T, Normalize, SamplePairs, Error, Seed, Exact, Precision];

    /// <summary>
    /// Reads the files named on <paramref name="parse"/> and analyses them (<c>--embeddings</c> must be present): streamed from
    /// memory-mapped files when <paramref name="stream"/> (dispose the result), else loaded whole.
    /// </summary>
    public QualityInputs Load(ParseResult parse, bool stream = false, IProgress<double>? progress = null, CancellationToken cancellationToken = default) => QualityInputs.Load(
        parse.GetValue(Embeddings)!.FullName,
        parse.GetValue(Positives)?.FullName,
        parse.GetValue(Labels)?.FullName,
        new QualityOptions(
            parse.GetValue(Alpha),
            parse.GetValue(T),
            Sampling: new SamplingOptions(parse.GetValue(SamplePairs), parse.GetValue(Error), parse.GetValue(Seed), parse.GetValue(Exact)),
            Precision: parse.GetValue(Precision) switch { "single" => KernelPrecision.Single, "double" => KernelPrecision.Double, _ => null },
            Progress: progress,
            Cancellation: cancellationToken),
        parse.GetValue(Normalize),
        stream);
}

/// <summary>Embedding files as read and validated, with Core's report on them: what <c>quality</c> prints and <c>report</c> draws.</summary>
/// <param name="Embeddings">X: memory-mapped when streamed, else in memory.</param>
/// <param name="Positives">Y, paired row for row with X; null when not given.</param>
/// <param name="Labels">Labels as spelled in the file; null when not given.</param>
/// <param name="Report">Core's report.</param>
/// <param name="Sources">File names of the inputs, for a report's heading.</param>
internal sealed record QualityInputs(
    EmbeddingRows Embeddings,
    EmbeddingRows? Positives,
    IReadOnlyList<string>? Labels,
    QualityReport Report,
    IReadOnlyList<string> Sources) : IDisposable
{
    /// <summary>
    /// Reads the files and analyses them; every validation error surfaces as <see cref="Core.Errors.HypersphereException"/>.
    /// C-order float <c>.npy</c> files are memory-mapped and validated in one pass; with <paramref name="stream"/> they stay
    /// mapped (memory O(block·d) beyond the mapping), else their rows are copied into memory. Either way the kernel precision
    /// defaults by the embeddings file's dtype, so <c>quality</c> and <c>report</c> print the same numbers.
    /// </summary>
    public static QualityInputs Load(string embeddingsPath, string? positivesPath, string? labelsPath, QualityOptions options, bool normalize, bool stream = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        var x = LoadRows(embeddingsPath, normalize, "embeddings", stream, options.Cancellation);
        (EmbeddingRows Rows, KernelPrecision Precision)? y = null;
        try
        {
            y = positivesPath is null ? null : LoadRows(positivesPath, normalize, "positives", stream, options.Cancellation);
            var labels = labelsPath is null ? null : EmbeddingFiles.ReadLabels(labelsPath);
            List<string> warnings = normalize ? ["rows were L2-normalised before measuring, as --normalize asked"] : [];
            var report = QualityAnalyzer.Analyze(x.Rows, y?.Rows, labels is null ? null : LabelSet.ToIds(labels), options with { Precision = options.Precision ?? x.Precision }, warnings);
            var sources = new[] { ("embeddings", embeddingsPath), ("positives", positivesPath), ("labels", labelsPath) }
                .Where(s => s.Item2 is not null)
                .Select(s => $"{s.Item1}: {Path.GetFileName(s.Item2)}")
                .ToList();
            return new QualityInputs(x.Rows, y?.Rows, labels, report, sources);
        }
        catch
        {
            (x.Rows as IDisposable)?.Dispose();
            (y?.Rows as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>Unmaps streamed files.</summary>
    public void Dispose()
    {
        (Embeddings as IDisposable)?.Dispose();
        (Positives as IDisposable)?.Dispose();
    }

    /// <summary>The rows of a file and the kernel precision its dtype makes the default.</summary>
    internal static (EmbeddingRows Rows, KernelPrecision Precision) LoadRows(string path, bool normalize, string name, bool stream, CancellationToken cancellationToken)
    {
        var label = $"{name} ({Path.GetFileName(path)})";
        if (Path.GetExtension(path).Equals(".npy", StringComparison.OrdinalIgnoreCase)
            && MappedEmbeddings.TryOpen(path, normalize, label, cancellationToken) is { } mapped)
        {
            var precision = Uniformity.DefaultPrecision(mapped);
            if (stream)
            {
                return (mapped, precision);
            }

            using (mapped)
            {
                return (mapped.ToMatrix(), precision);
            }
        }

        var data = EmbeddingFiles.ReadMatrix(path);
        var matrix = EmbeddingMatrix.Create(data.Values, data.Rows, data.Cols, normalize, label);
        return (matrix, Uniformity.DefaultPrecision(matrix));
    }
}
