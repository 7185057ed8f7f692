using System.CommandLine;
using Hypersphere.Training;
using Hypersphere.Training.Data;
using Hypersphere.Training.Losses;
using Hypersphere.Training.Training;
using Spectre.Console;

namespace Hypersphere.Cli.Commands;

/// <summary><c>hypersphere train</c>: learn a SmallAlexNet encoder on the hypersphere.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var dataset = new Option<string>("--dataset") { Description = $"Data set: {string.Join(", ", DatasetCatalog.Names)}", DefaultValueFactory = _ => "fashion-mnist" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder with the data set's files (default for fashion-mnist: /usr/share/datasets/fashion-mnist)" };
        var loss = new Option<string>("--loss") { Description = $"Loss preset: {string.Join(", ", LossSpec.PresetNames)}", DefaultValueFactory = _ => "align-uniform" };
        var alpha = new Option<double?>("--alpha") { Description = "Alignment exponent α (preset: 2)" };
        var t = new Option<double?>("--t") { Description = "Uniformity kernel width t (preset: 2; MoCo 3)" };
        var tau = new Option<double?>("--tau") { Description = "Contrastive temperature τ (preset: 0.5)" };
        var alignWeight = new Option<double?>("--align-weight") { Description = "Weight of L_align (overrides the preset)" };
        var uniformWeight = new Option<double?>("--uniform-weight") { Description = "Weight of L_uniform (overrides the preset)" };
        var contrastiveWeight = new Option<double?>("--contrastive-weight") { Description = "Weight of L_contrastive (overrides the preset)" };
        var queue = new Option<int?>("--queue-size") { Description = "MoCo queue size (preset: 65536)" };
        var epochs = new Option<int>("--epochs") { Description = "Epochs", DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--batch-size") { Description = "Images per step", DefaultValueFactory = _ => 512 };
        var width = new Option<double>("--width") { Description = "SmallAlexNet width multiplier", DefaultValueFactory = _ => 0.25 };
        var dim = new Option<int>("--feature-dim") { Description = "Embedding dimension", DefaultValueFactory = _ => 128 };
        var seed = new Option<long>("--seed") { Description = "Seed of weights, shuffling and augmentation", DefaultValueFactory = _ => 0 };
        var imageSize = new Option<int?>("--image-size") { Description = "Crop size (default: native; 64 for stl10)" };
        var cropScale = new Option<double?>("--crop-scale-min") { Description = "Smallest crop area fraction (default 0.2; 0.08 for stl10 as in the paper)" };
        var limit = new Option<int>("--limit") { Description = "Train on the first N images only (0 = all)", DefaultValueFactory = _ => 0 };
        var lr = new Option<double?>("--lr") { Description = "Base learning rate (default 0.12·batch/256)" };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Run folder: checkpoint.bin, train.jsonl, config.json", Required = true };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out exactly where it stopped" };
        var maxSteps = new Option<long?>("--max-steps") { Description = "Stop after this many steps in all (a checkpoint is written)" };
        var device = DeviceOptions.Device();
        var threads = DeviceOptions.Threads();

        var command = new Command("train", "Train an encoder with the paper's losses (SGD, step learning rate, a checkpoint every epoch)")
        {
            dataset, dataDir, loss, alpha, t, tau, alignWeight, uniformWeight, contrastiveWeight, queue, epochs, batch, width, dim, seed,
            imageSize, cropScale, limit, lr, outDir, resume, maxSteps, device, threads,
        };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            TorchRuntime.Prepare(parse.GetValue(threads), Console.Error);
            var spec = LossSpec.FromPreset(parse.GetValue(loss)!);
            spec = spec with
            {
                Alpha = parse.GetValue(alpha) ?? spec.Alpha,
                T = parse.GetValue(t) ?? spec.T,
                Tau = parse.GetValue(tau) ?? spec.Tau,
                AlignWeight = parse.GetValue(alignWeight) ?? spec.AlignWeight,
                UniformWeight = parse.GetValue(uniformWeight) ?? spec.UniformWeight,
                ContrastiveWeight = parse.GetValue(contrastiveWeight) ?? spec.ContrastiveWeight,
                Moco = spec.Moco is null ? null : spec.Moco with { QueueSize = parse.GetValue(queue) ?? spec.Moco.QueueSize },
            };
            var name = parse.GetValue(dataset)!;
            var isStl = DatasetCatalog.Describe(name).Name == Stl10.Name;
            var config = new TrainConfig(
                name, parse.GetValue(dataDir), spec, parse.GetValue(epochs), parse.GetValue(batch), parse.GetValue(width), parse.GetValue(dim),
                parse.GetValue(seed), parse.GetValue(imageSize), parse.GetValue(cropScale) ?? (isStl ? 0.08 : 0.2), parse.GetValue(limit), parse.GetValue(lr));
            var folder = parse.GetValue(outDir)!.FullName;
            var isResume = parse.GetValue(resume);
            int? epochOverride = parse.GetResult(epochs) is { Implicit: false } ? parse.GetValue(epochs) : null;
            var state = AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(context => new Trainer(folder, TorchRuntime.Device(parse.GetValue(device)!), new SpectreTrainingProgress(context))
                    .Run(isResume ? null : config, isResume, epochOverride, parse.GetValue(maxSteps)));
            AnsiConsole.MarkupLineInterpolated($"stopped at epoch {state.Epoch}/{state.Config.Epochs}, step {state.GlobalStep}; checkpoint in {folder}");
            return 0;
        }));
        return command;
    }
}
