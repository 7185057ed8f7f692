using Hypersphere.Core.Errors;

namespace Hypersphere.Training.Augmentation;

/// <summary>
/// The paper's view recipe: RandomResizedCrop(size, scale), horizontal flip, ColorJitter (brightness,
/// contrast, saturation, hue; only the first two for grayscale), RandomGrayscale (colour only), and
/// normalisation with the data set's per-channel mean and std.
/// </summary>
/// <param name="OutputSize">Side of the square crops fed to the encoder.</param>
/// <param name="CropScaleMin">Smallest crop area as a fraction of the image (the paper: 0.08 at 64 px).</param>
/// <param name="CropScaleMax">Largest crop area fraction.</param>
/// <param name="Brightness">Brightness jitter: factor drawn from [1 − b, 1 + b].</param>
/// <param name="Contrast">Contrast jitter.</param>
/// <param name="Saturation">Saturation jitter (colour only).</param>
/// <param name="Hue">Hue jitter as a fraction of a full turn, ≤ 0.5 (colour only).</param>
/// <param name="GrayscaleProbability">Probability of converting a colour view to gray.</param>
/// <param name="Mean">Per-channel mean of pixels in [0, 1].</param>
/// <param name="Std">Per-channel std of pixels in [0, 1].</param>
public sealed record AugmentationSpec(
    int OutputSize,
    double CropScaleMin,
    double CropScaleMax,
    double Brightness,
    double Contrast,
    double Saturation,
    double Hue,
    double GrayscaleProbability,
    float[] Mean,
    float[] Std)
{
    /// <summary>The paper's recipe at <paramref name="outputSize"/> with crop scale [<paramref name="cropScaleMin"/>, 1].</summary>
    public static AugmentationSpec Paper(int outputSize, double cropScaleMin, float[] mean, float[] std) =>
        new(outputSize, cropScaleMin, 1, 0.4, 0.4, 0.4, 0.4, 0.2, mean, std);

    /// <summary>Throws unless every setting is in range.</summary>
    public void Validate(int channels)
    {
        if (!(CropScaleMin > 0 && CropScaleMin <= CropScaleMax && CropScaleMax <= 1))
        {
            throw HypersphereException.Invalid($"crop scale must satisfy 0 < min ≤ max ≤ 1, but was [{CropScaleMin}, {CropScaleMax}]");
        }

        if (Mean.Length != channels || Std.Length != channels || Std.Any(s => !(s > 0)))
        {
            throw HypersphereException.Invalid($"mean and std need {channels} entries with std > 0, but had {Mean.Length} and {Std.Length}");
        }

        if (OutputSize < 1 || Brightness < 0 || Contrast < 0 || Saturation < 0 || Hue is < 0 or > 0.5 || GrayscaleProbability is < 0 or > 1)
        {
            throw HypersphereException.Invalid("augmentation strengths must be ≥ 0 (hue ≤ 0.5, grayscale probability ≤ 1) and the output size ≥ 1");
        }
    }
}
