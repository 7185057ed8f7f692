using Hypersphere.Core.IO;
using System.CommandLine;
using System.Text.Json;
using Hypersphere.Training;
using Hypersphere.Training.Evaluation;
using Hypersphere.Training.Export;
using Hypersphere.Training.Training;

namespace Hypersphere.Cli.Commands;

/// <summary><c>hypersphere eval</c>: the paper's evaluation of a trained encoder; prints JSON.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<DirectoryInfo>("--checkpoint") { Description = "Run folder written by `hypersphere train`", Required = true };
        var protocol = new Option<EvaluationProtocol>("--protocol") { Description = "linear, knn or all", DefaultValueFactory = _ => EvaluationProtocol.All };
        var linearEpochs = new Option<int>("--linear-epochs") { Description = "Epochs of each linear probe (the paper: 100)", DefaultValueFactory = _ => 100 };
        var limit = new Option<int>("--limit") { Description = "Use the first N train and test images only (0 = all)", DefaultValueFactory = _ => 0 };
        var dataDir = new Option<string?>("--data-dir") { Description = "Data folder (default: the one the run trained on)" };
        var device = DeviceOptions.Device();
        var threads = DeviceOptions.Threads();
        var command = new Command("eval", "Linear probes (output, fc7), k-NN, alignment and uniformity on held-out data")
        {
            checkpoint, protocol, linearEpochs, limit, dataDir, device, threads,
        };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            TorchRuntime.Prepare(parse.GetValue(threads), Console.Error);
            var folder = parse.GetValue(checkpoint)!.FullName;
            var (encoder, state) = Checkpoint.LoadEncoder(folder);
            using (encoder)
            {
                var report = Evaluator.Run(
                    encoder, state, parse.GetValue(protocol), parse.GetValue(linearEpochs), TorchRuntime.Device(parse.GetValue(device)!),
                    parse.GetValue(limit), parse.GetValue(dataDir));
                var json = JsonSerializer.Serialize(report, Checkpoint.IndentedJson);
                // Also kept in the run folder: export copies it into the model card.
                AtomicFile.Write(Path.Combine(folder, ModelCards.EvaluationFileName), System.Text.Encoding.UTF8.GetBytes(json));
                Console.Out.WriteLine(json);
            }

            return 0;
        }));
        return command;
    }
}
