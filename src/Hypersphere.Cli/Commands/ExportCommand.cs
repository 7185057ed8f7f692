using System.CommandLine;
using Hypersphere.Core.Errors;
using Hypersphere.Training;
using Hypersphere.Training.Export;
using Spectre.Console;

namespace Hypersphere.Cli.Commands;

/// <summary><c>hypersphere export</c>: a run folder → <c>models/&lt;name&gt;/&lt;version&gt;/</c> (model.onnx + model.json), verified against TorchSharp.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<DirectoryInfo>("--checkpoint") { Description = "Run folder written by `hypersphere train` (its eval.json goes into the card)", Required = true };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Model folder to create: models/<name>/<version>", Required = true };
        var outputs = new Option<string>("--outputs") { Description = $"Graph outputs, comma-separated: {string.Join(", ", OnnxExporter.KnownOutputs)}", DefaultValueFactory = _ => OnnxExporter.EmbeddingOutput };
        var force = new Option<bool>("--force") { Description = "Replace an existing model version" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Data folder for the verification images (default: the run's)" };
        var threads = DeviceOptions.Threads();
        var command = new Command("export", "Export a trained encoder to ONNX (IR 8, opset 17) with its model card; ONNX Runtime must reproduce TorchSharp to 1e-5")
        {
            checkpoint, outDir, outputs, force, dataDir, threads,
        };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            TorchRuntime.Prepare(parse.GetValue(threads), Console.Error);
            var target = parse.GetValue(outDir)!.FullName.TrimEnd(Path.DirectorySeparatorChar);
            var version = Path.GetFileName(target);
            var nameFolder = Path.GetDirectoryName(target);
            var name = Path.GetFileName(nameFolder);
            var root = Path.GetDirectoryName(nameFolder);
            if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(root))
            {
                throw HypersphereException.Invalid($"--out must look like models/<name>/<version>, but was '{target}'");
            }

            var result = ModelExport.Run(
                parse.GetValue(checkpoint)!.FullName, root, name, version,
                parse.GetValue(outputs)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                parse.GetValue(force), parse.GetValue(dataDir));
            AnsiConsole.MarkupLineInterpolated($"exported {result.Card.Name}@{result.Card.Version} to {result.Folder}");
            AnsiConsole.MarkupLineInterpolated($"verified on {result.VerificationImages}: {result.Verification.Summary}");
            foreach (var note in result.Notes)
            {
                AnsiConsole.MarkupLineInterpolated($"[yellow]note:[/] {note}");
            }

            return 0;
        }));
        return command;
    }
}
