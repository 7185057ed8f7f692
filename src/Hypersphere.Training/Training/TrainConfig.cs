using Hypersphere.Core.Errors;
using Hypersphere.Training.Losses;

namespace Hypersphere.Training.Training;

/// <summary>Everything that defines a training run; stored in its checkpoint and the model card.</summary>
/// <param name="Dataset">Data set name (<c>fashion-mnist</c>, <c>cifar10</c>, <c>stl10</c>, <c>folder</c>).</param>
/// <param name="DataDir">Data folder, or null for the data set's default.</param>
/// <param name="Loss">The objective.</param>
/// <param name="Epochs">Epochs to train.</param>
/// <param name="BatchSize">Images per step.</param>
/// <param name="Width">SmallAlexNet width multiplier.</param>
/// <param name="FeatureDim">Embedding dimension.</param>
/// <param name="Seed">Seeds weights, shuffling and augmentation.</param>
/// <param name="ImageSize">Side of the crops; null for the data set's native size (64 for STL-10).</param>
/// <param name="CropScaleMin">Smallest RandomResizedCrop area fraction.</param>
/// <param name="Limit">Use only the first N training images (0 = all): quick runs and tests.</param>
/// <param name="LearningRate">Base learning rate; null for the paper's 0.12·B/256.</param>
public sealed record TrainConfig(
    string Dataset,
    string? DataDir,
    LossSpec Loss,
    int Epochs,
    int BatchSize,
    double Width = 0.25,
    int FeatureDim = 128,
    long Seed = 0,
    int? ImageSize = null,
    double CropScaleMin = Augmentation.TrainConfigDefaults.CropScaleMin,
    int Limit = 0,
    double? LearningRate = null)
{
    /// <summary>SGD momentum (the paper's).</summary>
    public const double Momentum = 0.9;

    /// <summary>SGD weight decay (the paper's).</summary>
    public const double WeightDecay = 1e-4;

    /// <summary>Where the learning rate drops ×0.1, as fractions of the epochs (the paper's 155/170/185 of 200).</summary>
    public static readonly double[] Milestones = [0.775, 0.85, 0.925];

    /// <summary>The base learning rate: as given, or 0.12 per 256 images of batch.</summary>
    public double BaseLearningRate => LearningRate ?? 0.12 * BatchSize / 256;

    /// <summary>Learning rate during epoch <paramref name="epoch"/> (0-based): ×0.1 at each milestone passed.</summary>
    public double LearningRateAt(int epoch)
    {
        var lr = BaseLearningRate;
        foreach (var m in Milestones)
        {
            if (epoch >= (int)Math.Round(m * Epochs, MidpointRounding.AwayFromZero))
            {
                lr *= 0.1;
            }
        }

        return lr;
    }

    /// <summary>Throws unless the run can start.</summary>
    public void Validate()
    {
        if (Epochs < 1)
        {
            throw HypersphereException.Invalid($"epochs must be at least 1, but was {Epochs}");
        }

        if (BatchSize < 2)
        {
            throw HypersphereException.Invalid($"batch size must be at least 2 (uniformity needs pairs), but was {BatchSize}");
        }

        if (LearningRate is { } lr && !(lr > 0))
        {
            throw HypersphereException.Invalid($"learning rate must be > 0, but was {lr}");
        }

        if (Limit < 0)
        {
            throw HypersphereException.Invalid($"limit must be ≥ 0 (0 = all images), but was {Limit}");
        }

        Loss.Validate();
    }
}
