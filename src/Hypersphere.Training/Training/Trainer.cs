using System.Diagnostics;
using System.Text.Json;
using Hypersphere.Core.Errors;
using Hypersphere.Core.IO;
using Hypersphere.Training.Augmentation;
using Hypersphere.Training.Data;
using Hypersphere.Training.Losses;
using Hypersphere.Training.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hypersphere.Training.Training;

/// <summary>
/// The training loop: SGD (momentum 0.9, weight decay 1e-4) on the paper's objectives, step learning
/// rate, a checkpoint after every epoch (and when a step budget ends), a JSON line per epoch, and exact
/// resumption. Every step runs inside its own dispose scope, so memory stays flat.
/// </summary>
public sealed class Trainer
{
    /// <summary>The per-epoch log inside the run folder.</summary>
    public const string LogFileName = "train.jsonl";

    private readonly string _runFolder;
    private readonly Device _device;
    private readonly ITrainingProgress _progress;

    /// <summary>Creates a trainer writing to <paramref name="runFolder"/>.</summary>
    public Trainer(string runFolder, Device device, ITrainingProgress progress)
    {
        _runFolder = runFolder;
        _device = device;
        _progress = progress;
    }

    /// <summary>
    /// Trains <paramref name="config"/> from scratch, or continues the run in the folder when
    /// <paramref name="resume"/> is set (then the stored configuration is used, with
    /// <paramref name="epochs"/> overriding its epoch count if given). Stops after
    /// <paramref name="maxSteps"/> steps in all if given.
    /// </summary>
    public TrainState Run(TrainConfig? config, bool resume, int? epochs = null, long? maxSteps = null)
    {
        TrainState? saved = null;
        if (resume)
        {
            saved = Checkpoint.ReadState(_runFolder);
            config = saved.Config with { Epochs = epochs ?? saved.Config.Epochs };
        }
        else if (File.Exists(Checkpoint.PathIn(_runFolder)))
        {
            throw HypersphereException.Invalid($"{_runFolder} already holds a run; pass --resume to continue it or choose another --out");
        }

        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        var inputSize = saved?.InputSize ?? config.ImageSize ?? DefaultInputSize(config.Dataset);

        // STL-10's 100 000 unlabelled 96 px images exceed one array; they are read at the crop size.
        int? side = DatasetCatalog.Describe(config.Dataset).Name == Stl10.Name ? inputSize : null;
        var data = DatasetCatalog.Load(config.Dataset, config.DataDir, TrainingSplit(config.Dataset), height: side, width: side, maxImages: config.Limit > 0 ? config.Limit : null);
        var (mean, std) = saved is null ? data.ChannelStatistics() : (saved.Mean, saved.Std);
        var state = saved ?? new TrainState(config, 0, 0, 0, 0, 0, data.Channels, inputSize, mean, std, SourceInfo.Commit());
        state = state with { Config = config };

        var augmenter = new ViewAugmenter(AugmentationSpec.Paper(inputSize, config.CropScaleMin, mean, std), data.Channels);
        var batches = new AugmentedBatches(data, augmenter, config.BatchSize, config.Seed);
        using var encoder = new SmallAlexNet(Checkpoint.EncoderOf(state), config.Seed);
        encoder.to(_device);
        using var objective = new TrainingObjective(config.Loss, encoder, config.Seed);
        objective.Moco?.KeyEncoder.to(_device);
        using var optimizer = optim.SGD(encoder.parameters(), config.BaseLearningRate, TrainConfig.Momentum, 0, TrainConfig.WeightDecay, false, false);
        if (saved is not null)
        {
            Checkpoint.Restore(_runFolder, encoder, optimizer, objective.Moco?.KeyEncoder, q => objective.Moco?.Restore(q.to(_device), saved.QueuePosition, saved.QueueFilled));
        }

        Directory.CreateDirectory(_runFolder);
        AtomicFile.Write(Path.Combine(_runFolder, "config.json"), JsonSerializer.SerializeToUtf8Bytes(config, Checkpoint.IndentedJson));
        _progress.Started(state, batches.BatchesPerEpoch, saved is null ? $"training on {data.Count} images of {data.Name}" : $"resuming at epoch {state.Epoch + 1}, batch {state.BatchInEpoch}");
        encoder.train();
        var start = state;
        while (state.Epoch < config.Epochs && (maxSteps is null || state.GlobalStep < maxSteps))
        {
            state = TrainEpoch(state, batches, encoder, objective, optimizer, maxSteps);
        }

        if (ReferenceEquals(state, start) && saved is null)
        {
            // No step ran (--max-steps 0): keep the initial weights, the "random init" baseline.
            Checkpoint.Save(_runFolder, state, encoder, optimizer, objective.Moco?.KeyEncoder, null);
        }

        return state;
    }

    private TrainState TrainEpoch(TrainState state, AugmentedBatches batches, SmallAlexNet encoder, TrainingObjective objective, OptimizerHelper optimizer, long? maxSteps)
    {
        var config = state.Config;
        var lr = config.LearningRateAt(state.Epoch);
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = lr;
        }

        var clock = Stopwatch.StartNew();
        double lossSum = 0, alignSum = 0, uniformSum = 0;
        var steps = 0;
        foreach (var batch in batches.Epoch(state.Epoch, state.BatchInEpoch))
        {
            using (batch)
            using (var scope = NewDisposeScope())
            {
                var step = objective.Compute(batch.View1.to(_device), batch.View2.to(_device));
                var loss = step.Loss.item<float>();
                if (!float.IsFinite(loss))
                {
                    throw HypersphereException.Invalid(
                        $"the loss became {loss} at epoch {state.Epoch + 1}, batch {batch.Index + 1}; training stopped and the last good checkpoint in {_runFolder} is kept (try a lower learning rate)");
                }

                optimizer.zero_grad();
                step.Loss.backward();
                optimizer.step();
                var (align, uniform) = (step.Alignment.item<float>(), step.Uniformity.item<float>());
                lossSum += loss;
                alignSum += align;
                uniformSum += uniform;
                steps++;
                state = state with { BatchInEpoch = batch.Index + 1, GlobalStep = state.GlobalStep + 1 };
                _progress.StepDone(new StepReport(state.Epoch, batch.Index, batches.BatchesPerEpoch, loss, align, uniform, steps * batches.BatchSize / clock.Elapsed.TotalSeconds));
            }

            if (maxSteps is { } max && state.GlobalStep >= max)
            {
                break;
            }
        }

        var finished = state.BatchInEpoch >= batches.BatchesPerEpoch;
        if (finished)
        {
            state = state with { Epoch = state.Epoch + 1, BatchInEpoch = 0 };
        }

        var queue = objective.Moco?.State;
        state = state with { QueuePosition = queue?.Position ?? 0, QueueFilled = queue?.Filled ?? 0 };
        Checkpoint.Save(_runFolder, state, encoder, optimizer, objective.Moco?.KeyEncoder, queue?.Queue);
        if (steps > 0)
        {
            var seconds = clock.Elapsed.TotalSeconds;
            var report = new EpochReport(finished ? state.Epoch : state.Epoch + 1, steps, lossSum / steps, alignSum / steps, uniformSum / steps, lr, steps * batches.BatchSize / seconds, seconds, Environment.WorkingSet / 1048576.0);
            File.AppendAllText(Path.Combine(_runFolder, LogFileName), JsonSerializer.Serialize(report, Checkpoint.Json) + "\n");
            _progress.EpochDone(report);
        }

        return state;
    }

    /// <summary>The split self-supervised training reads: STL-10's train+unlabeled, otherwise train.</summary>
    public static string TrainingSplit(string dataset) =>
        DatasetCatalog.Describe(dataset).Name == Stl10.Name ? "train+unlabeled" : "train";

    /// <summary>The paper trains STL-10 at 64 px; other data sets at their native size.</summary>
    public static int DefaultInputSize(string dataset)
    {
        var spec = DatasetCatalog.Describe(dataset);
        return spec.Name == Stl10.Name ? 64 : spec.Height;
    }
}
