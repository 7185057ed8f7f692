using System.Diagnostics;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Errors;
using Hypersphere.Core.Metrics;
using Hypersphere.Training.Augmentation;
using Hypersphere.Training.Data;
using Hypersphere.Training.Models;
using Hypersphere.Training.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Hypersphere.Training.Evaluation;

/// <summary>Which evaluations to run.</summary>
public enum EvaluationProtocol
{
    /// <summary>Linear probes on the output and fc7.</summary>
    Linear,

    /// <summary>k-NN on the output.</summary>
    Knn,

    /// <summary>Both.</summary>
    All,
}

/// <summary>
/// Evaluates an encoder as the paper does: linear probes on frozen fc7 and output features, k-NN on
/// the output, alignment of two augmentations of each held-out image and uniformity of the clean
/// held-out embeddings — the last two through Core, the same code that serves <c>/v1/quality</c>.
/// </summary>
public static class Evaluator
{
    /// <summary>Evaluates <paramref name="encoder"/> trained as <paramref name="state"/> describes.</summary>
    public static EvaluationReport Run(
        SmallAlexNet encoder, TrainState state, EvaluationProtocol protocol, int linearEpochs, Device device, int limit = 0, string? dataDir = null)
    {
        var clock = Stopwatch.StartNew();
        var config = state.Config;
        var spec = DatasetCatalog.Describe(config.Dataset);
        int? max = limit > 0 ? limit : null;
        var train = EvaluationImages.Load(state, dataDir, "train", max);
        var test = EvaluationImages.Load(state, dataDir, "test", max);
        if (train.Labels.Any(l => l < 0) || test.Labels.Any(l => l < 0))
        {
            throw HypersphereException.Invalid($"evaluation needs labelled train and test splits, but {spec.Name} returned unlabelled images");
        }

        var augmenter = new ViewAugmenter(AugmentationSpec.Paper(state.InputSize, config.CropScaleMin, state.Mean, state.Std), state.Channels);
        encoder.to(device);
        var trainFeatures = FeatureSet.Extract(encoder, train, augmenter.Clean, device);
        var testFeatures = FeatureSet.Extract(encoder, test, augmenter.Clean, device);

        double? knn5 = null, knn20 = null, linearOutput = null, linearFc7 = null;
        if (protocol is EvaluationProtocol.Knn or EvaluationProtocol.All)
        {
            var knn = NearestNeighbourAccuracy.Compute(trainFeatures.EmbeddingMatrix, trainFeatures.Labels, testFeatures.EmbeddingMatrix, testFeatures.Labels);
            (knn5, knn20) = (knn.K5, knn.K20Weighted);
        }

        if (protocol is EvaluationProtocol.Linear or EvaluationProtocol.All)
        {
            linearOutput = LinearProbe.Accuracy(trainFeatures.Embedding, train.Labels, testFeatures.Embedding, test.Labels, trainFeatures.EmbeddingDim, linearEpochs, config.Seed, device);
            linearFc7 = LinearProbe.Accuracy(trainFeatures.Fc7, train.Labels, testFeatures.Fc7, test.Labels, trainFeatures.Fc7Dim, linearEpochs, config.Seed, device);
        }

        // Alignment: two independent augmentations of every held-out image, seeded apart from training's.
        var batch = 0;
        var first = FeatureSet.Extract(encoder, test, images => augmenter.Augment(images, new Random(Seeds.Mix(config.Seed, -1, batch++, 1))), device);
        batch = 0;
        var second = FeatureSet.Extract(encoder, test, images => augmenter.Augment(images, new Random(Seeds.Mix(config.Seed, -1, batch++, 2))), device);
        var alignment = Alignment.Compute(first.EmbeddingMatrix, second.EmbeddingMatrix);
        var heldOut = testFeatures.EmbeddingMatrix;
        var uniformity = Uniformity.Compute(heldOut);

        return new EvaluationReport(
            $"{spec.Name}", train.Count, test.Count, state.Epoch, knn5, knn20, linearOutput, linearFc7,
            protocol == EvaluationProtocol.Knn ? null : linearEpochs, alignment, uniformity,
            UniformityReference.UniformOptimum(heldOut.Dim, Uniformity.DefaultT), RankMe.Compute(heldOut), clock.Elapsed.TotalSeconds);
    }
}
