using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Errors;
using Hypersphere.Core.Metrics;
using Hypersphere.Training.Augmentation;
using Hypersphere.Training.Data;
using Hypersphere.Training.Evaluation;
using Hypersphere.Training.Losses;
using Hypersphere.Training.Training;
using Hypersphere.Training.Tests.Data;
using static TorchSharp.torch;

namespace Hypersphere.Training.Tests;

/// <summary>Short runs of the real trainer on real Fashion-MNIST images, with a tiny encoder.</summary>
public class TrainerTests
{
    private static TrainConfig Tiny(string loss = "align-uniform", int epochs = 2, int limit = 256, int batch = 64) =>
        new("fashion-mnist", null, LossSpec.FromPreset(loss), epochs, batch, Width: 0.0625, FeatureDim: 16, Seed: 11, Limit: limit);

    [Fact]
    public void AlignUniformTrainingLowersHeldOutUniformityWhileAlignmentStaysBounded()
    {
        using var folder = new TempFolder();
        // The paper's 0.12·B/256; far larger rates send this tiny encoder into collapse instead.
        var config = Tiny(epochs: 3, limit: 1024, batch: 128);
        var before = HeldOut(folder.Path, config, train: false);
        var after = HeldOut(folder.Path, config, train: true);

        // A random SmallAlexNet maps images close together (uniformity near 0); training must spread
        // them toward the optimum without tearing positive pairs apart.
        Assert.True(after.Uniformity < before.Uniformity - 0.5, $"uniformity {before.Uniformity:F3} → {after.Uniformity:F3}");
        Assert.InRange(after.Alignment, 0, 1.0);
        var log = File.ReadAllLines(Path.Combine(folder.Path, Trainer.LogFileName));
        Assert.Equal(3, log.Length);
    }

    [Theory]
    [InlineData("align-uniform")]
    [InlineData("contrastive")]
    public void TrainingLossGoesDown(string loss)
    {
        using var folder = new TempFolder();
        new Trainer(folder.Path, CPU, new SilentProgress()).Run(Tiny(loss, epochs: 4, limit: 512) with { LearningRate = 0.1 }, resume: false);
        var losses = File.ReadAllLines(Path.Combine(folder.Path, Trainer.LogFileName))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("loss").GetDouble()).ToArray();
        Assert.Equal(4, losses.Length);
        Assert.True(losses[^1] < losses[0] - 0.05, $"losses: {string.Join(", ", losses)}");
    }

    [Theory]
    [InlineData("align-uniform", 3)]
    [InlineData("moco-align-uniform", 5)]
    public void StopAndResumeEndsWithTheSameParametersAsAnUninterruptedRun(string loss, int stopAfter)
    {
        var config = Tiny(loss) with { Loss = LossSpec.FromPreset(loss) is var spec && spec.Moco is not null ? spec with { Moco = spec.Moco with { QueueSize = 100 } } : spec };
        using var whole = new TempFolder();
        using var split = new TempFolder();
        new Trainer(whole.Path, CPU, new SilentProgress()).Run(config, resume: false);
        new Trainer(split.Path, CPU, new SilentProgress()).Run(config, resume: false, maxSteps: stopAfter);
        Assert.Equal(stopAfter, Checkpoint.ReadState(split.Path).GlobalStep);
        new Trainer(split.Path, CPU, new SilentProgress()).Run(null, resume: true);

        var (a, stateA) = Checkpoint.LoadEncoder(whole.Path);
        var (b, stateB) = Checkpoint.LoadEncoder(split.Path);
        using (a)
        using (b)
        {
            Assert.Equal(stateA.GlobalStep, stateB.GlobalStep);
            foreach (var ((name, pa), (_, pb)) in a.state_dict().Zip(b.state_dict()))
            {
                Assert.True(pa.equal(pb).all().item<bool>(), $"{name} differs after resuming");
            }
        }
    }

    [Fact]
    public void BatchLargerThanTheDataSetIsRefusedWithBothNumbers()
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<HypersphereException>(() => new Trainer(folder.Path, CPU, new SilentProgress()).Run(Tiny(limit: 100, batch: 128), resume: false));
        Assert.Contains("number of training images (100), but was 128", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingDataFolderNamesTheDebianPackageAndTheOption()
    {
        using var folder = new TempFolder();
        var config = Tiny() with { DataDir = Path.Combine(folder.Path, "nowhere") };
        var error = Assert.Throws<HypersphereException>(() => new Trainer(folder.Path, CPU, new SilentProgress()).Run(config, resume: false));
        Assert.Equal(ErrorKind.NotFound, error.Kind);
        Assert.Contains("dataset-fashion-mnist", error.Message, StringComparison.Ordinal);
        Assert.Contains("--data-dir", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DivergingLossStopsTheRunAndKeepsTheLastGoodCheckpoint()
    {
        using var folder = new TempFolder();
        new Trainer(folder.Path, CPU, new SilentProgress()).Run(Tiny(epochs: 1), resume: false);
        var good = File.ReadAllBytes(Checkpoint.PathIn(folder.Path));

        // An absurd learning rate on the resumed run blows the weights up within a few steps.
        var state = Checkpoint.ReadState(folder.Path);
        var blowUp = state with { Config = state.Config with { LearningRate = 1e12, Epochs = 3 } };
        Checkpoint.Save(folder.Path, blowUp, Checkpoint.LoadEncoder(folder.Path).Encoder, null, null, null);
        good = File.ReadAllBytes(Checkpoint.PathIn(folder.Path));
        var error = Assert.Throws<HypersphereException>(() => new Trainer(folder.Path, CPU, new SilentProgress()).Run(null, resume: true));
        Assert.Contains("the loss became", error.Message, StringComparison.Ordinal);
        Assert.Contains("last good checkpoint", error.Message, StringComparison.Ordinal);
        Assert.True(Checkpoint.ReadState(folder.Path).Epoch >= 1);
        Assert.NotNull(Checkpoint.LoadEncoder(folder.Path).Encoder);
        Assert.True(good.Length > 0);
    }

    [Fact]
    public void CorruptCheckpointIsRefusedAsCorrupt()
    {
        using var folder = new TempFolder();
        new Trainer(folder.Path, CPU, new SilentProgress()).Run(Tiny(epochs: 1), resume: false);
        var path = Checkpoint.PathIn(folder.Path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<HypersphereException>(() => Checkpoint.LoadEncoder(folder.Path));
        Assert.Equal(ErrorKind.Corrupt, error.Kind);
    }

    [Fact]
    public void LearningRateDropsTenfoldAtThePapersEpochs155And170And185Of200()
    {
        var config = Tiny(epochs: 200, batch: 768);
        Assert.Equal(0.36, config.LearningRateAt(0), 12);
        Assert.Equal(0.36, config.LearningRateAt(154), 12);
        Assert.Equal(0.036, config.LearningRateAt(155), 12);
        Assert.Equal(0.0036, config.LearningRateAt(170), 12);
        Assert.Equal(0.00036, config.LearningRateAt(185), 12);
    }

    [Fact]
    public void EvaluationReportsFractionsAndMatchesCoreOnTheSameFeatures()
    {
        using var folder = new TempFolder();
        new Trainer(folder.Path, CPU, new SilentProgress()).Run(Tiny(epochs: 3, limit: 1024, batch: 128), resume: false);
        var (encoder, state) = Checkpoint.LoadEncoder(folder.Path);
        using (encoder)
        {
            var report = Evaluator.Run(encoder, state, EvaluationProtocol.All, linearEpochs: 200, CPU, limit: 400);

            // Ten balanced classes: chance is 0.1; even barely trained features do far better.
            foreach (var accuracy in new[] { report.Knn5Output, report.Knn20WeightedOutput, report.LinearOutput, report.LinearFc7 })
            {
                Assert.NotNull(accuracy);
                Assert.InRange(accuracy!.Value, 0.2, 1.0);
            }

            var test = DatasetCatalog.Load("fashion-mnist", null, "test", maxImages: 400);
            var clean = new ViewAugmenter(AugmentationSpec.Paper(state.InputSize, 0.2, state.Mean, state.Std), 1);
            var features = FeatureSet.Extract(encoder, test, clean.Clean, CPU);
            Assert.Equal(Uniformity.Compute(EmbeddingMatrix.Create(features.Embedding, 400, 16, false)), report.Uniformity, 9);
        }
    }

    private static (double Alignment, double Uniformity) HeldOut(string folder, TrainConfig config, bool train)
    {
        if (train)
        {
            new Trainer(folder, CPU, new SilentProgress()).Run(config, resume: false);
        }
        else
        {
            new Trainer(folder, CPU, new SilentProgress()).Run(config, resume: false, maxSteps: 0);
        }

        var (encoder, state) = Checkpoint.LoadEncoder(folder);
        using (encoder)
        {
            var report = Evaluator.Run(encoder, state, EvaluationProtocol.Knn, 1, CPU, limit: 500);
            if (!train)
            {
                File.Delete(Checkpoint.PathIn(folder));
                File.Delete(Path.Combine(folder, Trainer.LogFileName));
            }

            return (report.Alignment, report.Uniformity);
        }
    }

    private sealed class SilentProgress : ITrainingProgress
    {
        public void Started(TrainState state, int batchesPerEpoch, string message)
        {
        }

        public void StepDone(StepReport report)
        {
        }

        public void EpochDone(EpochReport report)
        {
        }
    }
}
