using Hypersphere.Inference;
using Hypersphere.Inference.Augmentation;
using Hypersphere.Training.Augmentation;
using Hypersphere.Training.Data;
using Hypersphere.Training.Tests.Data;
using static TorchSharp.torch;

namespace Hypersphere.Training.Tests;

/// <summary>
/// The service's views (Inference's <see cref="PixelViewAugmenter"/>: Skia and per-pixel arithmetic, no TorchSharp)
/// against the trainer's (<see cref="ViewAugmenter"/>: affine grid sample and tensor ops), two implementations of one
/// recipe: given the same seed they draw the same crop, flip and factors, so the views must agree pixel for pixel.
/// </summary>
public sealed class PixelViewAugmenterParityTests(FashionMnistFixture real) : IClassFixture<FashionMnistFixture>
{
    // Normalised units; the largest gap seen is float rounding in the bilinear weights (7.5e-6 gray, 2.9e-6 colour).
    private const double Tolerance = 1e-4;

    [Fact]
    public void FashionMnistViewsMatchTheTrainersForTheSameSeed()
    {
        var images = real.Test;
        var (mean, std) = (new[] { 0.2860406f }, new[] { 0.35302424f });
        var recipe = ViewRecipe.Paper();
        var trainer = new ViewAugmenter(new AugmentationSpec(28, recipe, mean, std), 1);
        var service = new PixelViewAugmenter(recipe, new InputSpec(1, 28, 28, mean, std, ModelCardFile.StretchResize));
        var worst = 0.0;
        var changed = 0;
        for (var i = 0; i < 64; i++)
        {
            var bytes = images.Pixels.AsSpan(i * 784, 784).ToArray();
            var normalised = bytes.Select(b => ((b / 255f) - mean[0]) / std[0]).ToArray();
            var view = new float[784];
            service.Augment(normalised, view, new Random(1000 + i));
            using var input = tensor(bytes, [1, 1, 28, 28]);
            using var expected = trainer.Augment(input, new Random(1000 + i));
            var reference = expected.data<float>().ToArray();
            worst = Math.Max(worst, MaxGap(view, reference));
            changed += MaxGap(view, normalised) > 0.1 ? 1 : 0;
        }

        Assert.True(worst <= Tolerance, $"largest gap between the service's and the trainer's views: {worst}");
        Assert.True(changed >= 60, $"only {changed} of 64 views differ from their image: the recipe was not applied");
    }

    [Fact]
    public void ColourViewsWithHueSaturationAndGrayscaleMatchTheTrainers()
    {
        var (mean, std) = (new[] { 0.5f, 0.4f, 0.3f }, new[] { 0.2f, 0.25f, 0.3f });
        var recipe = ViewRecipe.Paper(0.08);
        var trainer = new ViewAugmenter(new AugmentationSpec(32, recipe, mean, std), 3);
        var service = new PixelViewAugmenter(recipe, new InputSpec(3, 32, 32, mean, std, ModelCardFile.StretchResize));
        var random = new Random(7);
        var worst = 0.0;
        for (var i = 0; i < 32; i++)
        {
            // Smooth colour images (a gradient per channel plus noise), so crops and hue rotations move real colour.
            var bytes = new byte[3 * 32 * 32];
            for (var c = 0; c < 3; c++)
            {
                for (var p = 0; p < 1024; p++)
                {
                    bytes[(c * 1024) + p] = (byte)Math.Clamp((((p % 32) + (c * (p / 32))) * 4) + random.Next(-20, 21), 0, 255);
                }
            }

            var normalised = bytes.Select((b, k) => ((b / 255f) - mean[k / 1024]) / std[k / 1024]).ToArray();
            var view = new float[bytes.Length];
            service.Augment(normalised, view, new Random(i));
            using var input = tensor(bytes, [1, 3, 32, 32]);
            using var expected = trainer.Augment(input, new Random(i));
            worst = Math.Max(worst, MaxGap(view, expected.data<float>().ToArray()));
        }

        Assert.True(worst <= Tolerance, $"largest gap between the service's and the trainer's colour views: {worst}");
    }

    [Fact]
    public void ExportedCardsRecordTheRecipeTheTrainerUsed()
    {
        // The trainer's default crop scale is the recipe older cards (without the field) are read with.
        Assert.Equal(TrainConfigDefaults.CropScaleMin, ViewRecipe.Paper().CropScaleMin);
        var spec = AugmentationSpec.Paper(28, 0.3, [0.5f], [0.25f]);
        Assert.Equal(ViewRecipe.Paper(0.3), spec.Recipe);
    }

    private static double MaxGap(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        var worst = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(a[i] - b[i]));
        }

        return worst;
    }
}
