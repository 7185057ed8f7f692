using System.CommandLine;
using System.Diagnostics;
using Hypersphere.Training;
using Hypersphere.Training.Augmentation;
using Hypersphere.Training.Data;
using Hypersphere.Training.Losses;
using Hypersphere.Training.Models;
using Hypersphere.Training.Training;
using Spectre.Console;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Hypersphere.Cli.Commands;

/// <summary>
/// <c>hypersphere bench train</c>: training throughput on Fashion-MNIST, split into the parts that
/// matter (augmenting two views, the optimisation step alone, and the full loop with prefetching),
/// for comparison with docs/peers/torch_train.py.
/// </summary>
internal static class BenchTrainCommand
{
    public static Command Create()
    {
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 512 };
        var steps = new Option<int>("--steps") { DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { DefaultValueFactory = _ => 3 };
        var width = new Option<double>("--width") { DefaultValueFactory = _ => 0.25 };
        var loss = new Option<string>("--loss") { DefaultValueFactory = _ => "align-uniform" };
        var threads = DeviceOptions.Threads();
        var command = new Command("train", "Training images/s: augmentation, step, and the full loop") { batch, steps, warmup, width, loss, threads };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            TorchRuntime.Prepare(parse.GetValue(threads), Console.Error);
            Run(parse.GetValue(batch), parse.GetValue(steps), parse.GetValue(warmup), parse.GetValue(width), parse.GetValue(loss)!);
            return 0;
        }));
        return command;
    }

    private static void Run(int batchSize, int steps, int warmup, double width, string loss)
    {
        var data = DatasetCatalog.Load("fashion-mnist", null, "train");
        var (mean, std) = data.ChannelStatistics();
        var augmenter = new ViewAugmenter(AugmentationSpec.Paper(28, 0.2, mean, std), 1);
        var batches = new AugmentedBatches(data, augmenter, batchSize, seed: 0);
        using var encoder = new SmallAlexNet(new EncoderConfig(1, 28, 28, width), 0);
        using var objective = new TrainingObjective(LossSpec.FromPreset(loss), encoder, 0);
        using var optimizer = optim.SGD(encoder.parameters(), 0.12 * batchSize / 256, 0.9, 0, 1e-4, false, false);
        encoder.train();

        // 1. Augmentation alone (two views), on this thread.
        var images = tensor(data.Pixels.AsSpan(0, batchSize * data.ImageSize).ToArray(), [batchSize, 1, 28, 28]);
        var augment = Time(steps, warmup, i =>
        {
            using var scope = NewDisposeScope();
            augmenter.Augment(images, new Random(i));
            augmenter.Augment(images, new Random(i + 1));
        });

        // 2. The optimisation step alone, on fixed views.
        using var view1 = augmenter.Augment(images, new Random(1));
        using var view2 = augmenter.Augment(images, new Random(2));
        var step = Time(steps, warmup, _ => Step(objective, optimizer, view1, view2));

        // 3. The full loop: prefetched batches from the background thread, as `train` runs it.
        var clock = new Stopwatch();
        var done = 0;
        foreach (var b in batches.Epoch(0))
        {
            using (b)
            {
                if (done == warmup)
                {
                    clock.Start();
                }

                Step(objective, optimizer, b.View1, b.View2);
            }

            if (++done == warmup + steps)
            {
                break;
            }
        }

        var table = new Table().AddColumns("part", "s per step", "images/s");
        table.AddRow("augment two views", $"{augment:F3}", $"{batchSize / augment:F0}");
        table.AddRow("optimisation step", $"{step:F3}", $"{batchSize / step:F0}");
        var loop = clock.Elapsed.TotalSeconds / steps;
        table.AddRow("[bold]training loop[/]", $"{loop:F3}", $"[bold]{batchSize / loop:F0}[/]");
        AnsiConsole.MarkupLine($"SmallAlexNet width {width}, batch {batchSize}, {loss}, libtorch threads {get_num_threads()}, {steps} timed steps after {warmup}");
        AnsiConsole.Write(table);
    }

    private static void Step(TrainingObjective objective, OptimizerHelper optimizer, Tensor view1, Tensor view2)
    {
        using var scope = NewDisposeScope();
        var result = objective.Compute(view1, view2);
        _ = result.Loss.item<float>();
        optimizer.zero_grad();
        result.Loss.backward();
        optimizer.step();
        _ = result.Alignment.item<float>() + result.Uniformity.item<float>();
    }

    private static double Time(int steps, int warmup, Action<int> body)
    {
        for (var i = 0; i < warmup; i++)
        {
            body(i);
        }

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < steps; i++)
        {
            body(warmup + i);
        }

        return clock.Elapsed.TotalSeconds / steps;
    }
}
