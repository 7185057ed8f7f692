using Hypersphere.Core.Errors;

namespace Hypersphere.Inference.Augmentation;

/// <summary>
/// How two views of one image are made for training and for measuring alignment: the paper's
/// RandomResizedCrop (area fraction in [<see cref="CropScaleMin"/>, <see cref="CropScaleMax"/>], aspect ratio in
/// [3/4, 4/3]), a horizontal flip with probability ½, ColorJitter (brightness, contrast, and for colour images
/// saturation and hue) and, for colour images, RandomGrayscale. Recorded in the model card
/// (<c>training.augmentation</c>) so the service can make the views the model was trained to be invariant to.
/// </summary>
/// <param name="CropScaleMin">Smallest crop area as a fraction of the image (the paper: 0.08 at 64 px; the trainer's default 0.2).</param>
/// <param name="CropScaleMax">Largest crop area fraction.</param>
/// <param name="Brightness">Brightness jitter: factor drawn from [max(0, 1 − b), 1 + b].</param>
/// <param name="Contrast">Contrast jitter, the same way.</param>
/// <param name="Saturation">Saturation jitter (colour only).</param>
/// <param name="Hue">Hue jitter as a fraction of a full turn, ≤ 0.5 (colour only).</param>
/// <param name="GrayscaleProbability">Probability of converting a colour view to gray.</param>
public sealed record ViewRecipe(
    double CropScaleMin,
    double CropScaleMax,
    double Brightness,
    double Contrast,
    double Saturation,
    double Hue,
    double GrayscaleProbability)
{
    private static readonly double MinLogRatio = Math.Log(3.0 / 4), MaxLogRatio = Math.Log(4.0 / 3);

    /// <summary>The smallest crop area fraction the trainer uses unless told otherwise.</summary>
    public const double DefaultCropScaleMin = 0.2;

    /// <summary>The paper's recipe with crop scale [<paramref name="cropScaleMin"/>, 1] and every jitter strength 0.4, grayscale 0.2.</summary>
    public static ViewRecipe Paper(double cropScaleMin = DefaultCropScaleMin) => new(cropScaleMin, 1, 0.4, 0.4, 0.4, 0.4, 0.2);

    /// <summary>Throws <see cref="ErrorKind.InvalidInput"/> unless every setting is in range.</summary>
    public void Validate()
    {
        if (!(CropScaleMin > 0 && CropScaleMin <= CropScaleMax && CropScaleMax <= 1))
        {
            throw HypersphereException.Invalid($"crop scale must satisfy 0 < min ≤ max ≤ 1, but was [{CropScaleMin}, {CropScaleMax}]");
        }

        if (!(Brightness >= 0 && Contrast >= 0 && Saturation >= 0 && Hue is >= 0 and <= 0.5 && GrayscaleProbability is >= 0 and <= 1))
        {
            throw HypersphereException.Invalid(
                $"augmentation strengths must be ≥ 0, hue ≤ 0.5 and the grayscale probability in [0, 1], but were brightness {Brightness}, contrast {Contrast}, saturation {Saturation}, hue {Hue}, grayscale {GrayscaleProbability}");
        }
    }

    /// <summary>
    /// torchvision's RandomResizedCrop.get_params for an image of <paramref name="height"/>×<paramref name="width"/>: up to
    /// 10 tries of an area in [<see cref="CropScaleMin"/>, <see cref="CropScaleMax"/>] of the image and an aspect ratio in
    /// [3/4, 4/3] (log-uniform), then a centre crop. The trainer and the service draw their crops here, in this order of
    /// draws, so a seed gives both the same crop.
    /// </summary>
    public (int Top, int Left, int Height, int Width) SampleCrop(int height, int width, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var area = (double)height * width;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var target = area * (CropScaleMin + (random.NextDouble() * (CropScaleMax - CropScaleMin)));
            var ratio = Math.Exp(MinLogRatio + (random.NextDouble() * (MaxLogRatio - MinLogRatio)));
            var w = (int)Math.Round(Math.Sqrt(target * ratio));
            var h = (int)Math.Round(Math.Sqrt(target / ratio));
            if (w > 0 && h > 0 && w <= width && h <= height)
            {
                return (random.Next(height - h + 1), random.Next(width - w + 1), h, w);
            }
        }

        var inRatio = (double)width / height;
        var (fh, fw) = inRatio < 3.0 / 4 ? ((int)Math.Round(width / (3.0 / 4)), width)
            : inRatio > 4.0 / 3 ? (height, (int)Math.Round(height * (4.0 / 3)))
            : (height, width);
        return ((height - fh) / 2, (width - fw) / 2, fh, fw);
    }
}
