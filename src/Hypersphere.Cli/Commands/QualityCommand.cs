using System.CommandLine;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.IO;
using Hypersphere.Core.Quality;

namespace Hypersphere.Cli.Commands;

/// <summary><c>hypersphere quality</c>: alignment, uniformity and collapse diagnostics of embedding files.</summary>
internal static class QualityCommand
{
    public static Command Create()
    {
        var embeddings = new Option<FileInfo>("--embeddings", "-e")
        {
            Description = "Embeddings, one row each: .npy (float32/float64, 2-D) or .csv",
            Required = true,
        };
        var positives = new Option<FileInfo?>("--positives", "-p")
        {
            Description = "Positive views paired row for row with --embeddings (same format); enables alignment",
        };
        var labels = new Option<FileInfo?>("--labels", "-l")
        {
            Description = "Class labels: .npy of integers or a text file with one label a line; enables k-NN accuracy",
        };
        var alpha = new Option<double>("--alpha") { Description = "Alignment exponent α, in (0, 1000]", DefaultValueFactory = _ => 2 };
        var t = new Option<double>("--t") { Description = "Uniformity kernel width t, in (0, 1e300]", DefaultValueFactory = _ => 2 };
        var normalize = new Option<bool>("--normalize") { Description = "L2-normalise rows instead of refusing rows that are not unit norm" };

        var command = new Command("quality", "Measure alignment, uniformity, RankMe and collapse of a batch of embeddings; prints JSON")
        {
            embeddings, positives, labels, alpha, t, normalize,
        };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var report = Analyze(
                parse.GetValue(embeddings)!.FullName,
                parse.GetValue(positives)?.FullName,
                parse.GetValue(labels)?.FullName,
                new QualityOptions(parse.GetValue(alpha), parse.GetValue(t)),
                parse.GetValue(normalize));
            Console.Out.WriteLine(QualityJson.Serialize(report));
            return 0;
        }));
        return command;
    }

    /// <summary>Reads the files and analyses them; all validation errors surface as <see cref="Core.Errors.HypersphereException"/>.</summary>
    public static QualityReport Analyze(string embeddingsPath, string? positivesPath, string? labelsPath, QualityOptions options, bool normalize)
    {
        var x = Load(embeddingsPath, normalize, "embeddings");
        var y = positivesPath is null ? null : Load(positivesPath, normalize, "positives");
        var ids = labelsPath is null ? null : LabelSet.ToIds(EmbeddingFiles.ReadLabels(labelsPath));
        List<string> warnings = normalize ? ["rows were L2-normalised before measuring, as --normalize asked"] : [];
        return QualityAnalyzer.Analyze(x, y, ids, options, warnings);
    }

    private static EmbeddingMatrix Load(string path, bool normalize, string name)
    {
        var data = EmbeddingFiles.ReadMatrix(path);
        return EmbeddingMatrix.Create(data.Values, data.Rows, data.Cols, normalize, $"{name} ({Path.GetFileName(path)})");
    }
}
