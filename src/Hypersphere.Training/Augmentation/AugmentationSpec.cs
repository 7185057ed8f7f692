using Hypersphere.Core.Errors;
using Hypersphere.Inference.Augmentation;

namespace Hypersphere.Training.Augmentation;

/// <summary>
/// A view recipe (<see cref="ViewRecipe"/>: RandomResizedCrop, flip, ColorJitter, RandomGrayscale) at an output
/// size, with the data set's per-channel normalisation.
/// </summary>
/// <param name="OutputSize">Side of the square crops fed to the encoder.</param>
/// <param name="Recipe">How views are made.</param>
/// <param name="Mean">Per-channel mean of pixels in [0, 1].</param>
/// <param name="Std">Per-channel std of pixels in [0, 1].</param>
public sealed record AugmentationSpec(int OutputSize, ViewRecipe Recipe, float[] Mean, float[] Std)
{
    /// <summary>The paper's recipe (<see cref="ViewRecipe.Paper"/>) at <paramref name="outputSize"/> with crop scale [<paramref name="cropScaleMin"/>, 1].</summary>
    public static AugmentationSpec Paper(int outputSize, double cropScaleMin, float[] mean, float[] std) =>
        new(outputSize, ViewRecipe.Paper(cropScaleMin), mean, std);

    /// <summary>Throws unless every setting is in range.</summary>
    public void Validate(int channels)
    {
        Recipe.Validate();
        if (Mean.Length != channels || Std.Length != channels || Std.Any(s => !(s > 0)))
        {
            throw HypersphereException.Invalid($"mean and std need {channels} entries with std > 0, but had {Mean.Length} and {Std.Length}");
        }

        if (OutputSize < 1)
        {
            throw HypersphereException.Invalid($"the output size must be at least 1, but was {OutputSize}");
        }
    }
}
