using static TorchSharp.torch;

namespace Hypersphere.Training.Augmentation;

/// <summary>
/// Makes random views of a batch on tensors, each image with its own random parameters, in a few
/// batched operations: one affine grid sample does every image's resized crop and flip; colour jitter
/// uses per-image factors. Randomness comes only from the <see cref="Random"/> passed in, so a view
/// is reproducible from its seed.
/// </summary>
public sealed class ViewAugmenter
{
    private readonly AugmentationSpec _spec;
    private readonly int _channels;

    /// <summary>Creates an augmenter for images with <paramref name="channels"/> channels.</summary>
    public ViewAugmenter(AugmentationSpec spec, int channels)
    {
        spec.Validate(channels);
        _spec = spec;
        _channels = channels;
    }

    /// <summary>One random view of each image: uint8 or [0, 1] float [B, C, H, W] → normalised float [B, C, S, S].</summary>
    public Tensor Augment(Tensor images, Random random)
    {
        using var scope = NewDisposeScope();
        var x = ToUnitFloat(images);
        var b = (int)x.shape[0];
        x = ResizedCropAndFlip(x, b, random);
        x = Jitter(x, b, random);
        if (_channels == 3 && _spec.Recipe.GrayscaleProbability > 0)
        {
            var mask = Bernoulli(b, _spec.Recipe.GrayscaleProbability, random, x.device).view(b, 1, 1, 1);
            x = where(mask, Gray(x).expand_as(x), x);
        }

        return Normalize(x).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The evaluation view: images already at the output size, only normalised. It does not resize: evaluated
    /// images must be resized as the service resizes them, by Inference's PixelPlanes while loading
    /// (<c>EvaluationImages</c>), not by a second resampler with other filters.
    /// </summary>
    public Tensor Clean(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var (height, width) = (images.shape[2], images.shape[3]);
        if (height != _spec.OutputSize || width != _spec.OutputSize)
        {
            throw new ArgumentException(
                $"the evaluation view takes images at the output size {_spec.OutputSize}×{_spec.OutputSize}, but got {height}×{width}; load them at that size (EvaluationImages.Load)", nameof(images));
        }

        using var scope = NewDisposeScope();
        return Normalize(ToUnitFloat(images)).MoveToOuterDisposeScope();
    }

    private static Tensor ToUnitFloat(Tensor images) =>
        images.dtype == ScalarType.Byte ? images.to_type(ScalarType.Float32) / 255f : images.to_type(ScalarType.Float32);

    private Tensor ResizedCropAndFlip(Tensor x, int b, Random random)
    {
        int height = (int)x.shape[2], width = (int)x.shape[3];
        var theta = new float[b * 6];
        for (var n = 0; n < b; n++)
        {
            var (top, left, h, w) = _spec.Recipe.SampleCrop(height, width, random);
            var flip = random.NextDouble() < 0.5 ? -1f : 1f;

            // affine_grid (align_corners = false) maps output coordinates in [−1, 1] to input
            // coordinates; the crop's pixel edges [left, left + w) sit at −1 + 2·left/W … −1 + 2(left + w)/W.
            theta[(n * 6) + 0] = flip * w / width;
            theta[(n * 6) + 2] = ((2f * left) + w) / width - 1;
            theta[(n * 6) + 4] = (float)h / height;
            theta[(n * 6) + 5] = ((2f * top) + h) / height - 1;
        }

        var size = _spec.OutputSize;
        var grid = nn.functional.affine_grid(tensor(theta, [b, 2, 3], device: x.device), [b, _channels, size, size], align_corners: false);
        return nn.functional.grid_sample(x, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: false);
    }

    /// <summary>ColorJitter with per-image factors, the four operations in a random order per batch.</summary>
    private Tensor Jitter(Tensor x, int b, Random random)
    {
        var operations = _channels == 3 ? new[] { 0, 1, 2, 3 } : [0, 1];
        random.Shuffle(operations);
        foreach (var op in operations)
        {
            x = op switch
            {
                0 when _spec.Recipe.Brightness > 0 => (x * Factors(b, _spec.Recipe.Brightness, random, x.device)).clamp(0, 1),
                1 when _spec.Recipe.Contrast > 0 => Blend(x, Gray(x).mean([1, 2, 3], keepdim: true), Factors(b, _spec.Recipe.Contrast, random, x.device)),
                2 when _spec.Recipe.Saturation > 0 => Blend(x, Gray(x), Factors(b, _spec.Recipe.Saturation, random, x.device)),
                3 when _spec.Recipe.Hue > 0 => RotateHue(x, b, random),
                _ => x,
            };
        }

        return x;
    }

    /// <summary>x·f + other·(1 − f), clamped to [0, 1] (torchvision's _blend).</summary>
    private static Tensor Blend(Tensor x, Tensor other, Tensor f) => ((x * f) + (other * (1 - f))).clamp(0, 1);

    /// <summary>Factors uniform in [max(0, 1 − s), 1 + s], one per image, shaped to broadcast.</summary>
    private static Tensor Factors(int b, double strength, Random random, Device device)
    {
        var values = new float[b];
        var low = Math.Max(0, 1 - strength);
        for (var i = 0; i < b; i++)
        {
            values[i] = (float)(low + (random.NextDouble() * (1 + strength - low)));
        }

        return tensor(values, [b, 1, 1, 1], device: device);
    }

    /// <summary>
    /// Hue shift as a rotation of the chroma plane in YIQ space by 2π·h, h uniform in [−hue, hue].
    /// A linear stand-in for torchvision's HSV round trip: same intent, one batched matrix product.
    /// </summary>
    private Tensor RotateHue(Tensor x, int b, Random random)
    {
        var toYiq = tensor(new float[] { 0.299f, 0.587f, 0.114f, 0.596f, -0.274f, -0.322f, 0.211f, -0.523f, 0.312f }, [3, 3], device: x.device);
        var fromYiq = linalg.inv(toYiq);
        var rotations = new float[b * 9];
        for (var i = 0; i < b; i++)
        {
            var angle = 2 * Math.PI * (-_spec.Recipe.Hue + (random.NextDouble() * 2 * _spec.Recipe.Hue));
            var (sin, cos) = Math.SinCos(angle);
            var r = rotations.AsSpan(i * 9, 9);
            r[0] = 1;
            r[4] = (float)cos;
            r[5] = (float)-sin;
            r[7] = (float)sin;
            r[8] = (float)cos;
        }

        var transform = fromYiq.matmul(tensor(rotations, [b, 3, 3], device: x.device)).matmul(toYiq);
        var shape = x.shape;
        return transform.bmm(x.reshape(b, 3, -1)).reshape(shape).clamp(0, 1);
    }

    /// <summary>ITU-R 601 luma [B, 1, H, W] (the image itself when grayscale).</summary>
    private Tensor Gray(Tensor x) => _channels == 1
        ? x
        : ((0.299f * x.narrow(1, 0, 1)) + (0.587f * x.narrow(1, 1, 1)) + (0.114f * x.narrow(1, 2, 1)));

    private static Tensor Bernoulli(int b, double p, Random random, Device device)
    {
        var values = new bool[b];
        for (var i = 0; i < b; i++)
        {
            values[i] = random.NextDouble() < p;
        }

        return tensor(values, device: device);
    }

    private Tensor Normalize(Tensor x)
    {
        var mean = tensor(_spec.Mean, [1, _channels, 1, 1], device: x.device);
        var std = tensor(_spec.Std, [1, _channels, 1, 1], device: x.device);
        return (x - mean) / std;
    }
}
