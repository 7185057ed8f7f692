using System.CommandLine;
using System.Text.Json;
using Hypersphere.Core.Comparison;
using Hypersphere.Core.IO;

namespace Hypersphere.Cli.Commands;

/// <summary><c>hypersphere compare</c>: CKA and mutual k-NN overlap of two representations of the same inputs; prints JSON.</summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var a = new Option<FileInfo>("--a") { Description = "Representation A, one row per input: .npy (float32/float64, 2-D) or .csv", Required = true };
        var b = new Option<FileInfo>("--b") { Description = "Representation B of the same inputs in the same order (any width)", Required = true };
        var defaults = new ComparisonOptions();
        var k = new Option<int>("--k") { Description = "Neighbours per input for the mutual k-NN overlap", DefaultValueFactory = _ => defaults.K };
        var threshold = new Option<double>("--rbf-threshold") { Description = "θ of the RBF kernel exp(−‖x − y‖² / (2θ²·median squared distance))", DefaultValueFactory = _ => defaults.RbfThreshold };
        var maxRbfRows = new Option<int>("--max-rbf-rows") { Description = "Most rows RBF CKA uses (two N×N matrices); beyond it a seeded sample", DefaultValueFactory = _ => defaults.MaxRbfRows };
        var seed = new Option<int>("--seed") { Description = "Seed of the RBF row sample", DefaultValueFactory = _ => defaults.Seed };
        var command = new Command(
            "compare",
            "Compare two representations of the same inputs (e.g. two models' embeddings of one image set): linear CKA (biased and unbiased), RBF CKA and mutual k-NN overlap; prints JSON")
        {
            a, b, k, threshold, maxRbfRows, seed,
        };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var report = RepresentationComparison.Compare(
                EmbeddingFiles.ReadMatrix(parse.GetValue(a)!.FullName),
                EmbeddingFiles.ReadMatrix(parse.GetValue(b)!.FullName),
                new ComparisonOptions(parse.GetValue(k), parse.GetValue(threshold), parse.GetValue(maxRbfRows), parse.GetValue(seed)));
            Console.Out.WriteLine(JsonSerializer.Serialize(report, SnakeCaseJson.Indented));
            return 0;
        }));
        return command;
    }
}
