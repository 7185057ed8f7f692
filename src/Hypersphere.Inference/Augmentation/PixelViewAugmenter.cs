using Hypersphere.Core.Errors;
using SkiaSharp;

namespace Hypersphere.Inference.Augmentation;

/// <summary>
/// Makes a random view of one model-input image (C×H×W floats, normalised as the card says) with the recipe the
/// model was trained with, in the same layout, so the service can measure alignment on the images it serves
/// without TorchSharp. The resized crop and flip are one bilinear draw in Skia (32-bit float pixels, the image
/// clamped at its border beyond the crop, as the trainer's grid sample does); the colour jitter is per-pixel
/// arithmetic. Randomness is drawn from the <see cref="Random"/> passed in, in the trainer's order for a batch of
/// one (crop, flip, the jitter operations' order, their factors, grayscale), so a seed gives the trainer's view.
/// </summary>
public sealed class PixelViewAugmenter
{
    // RGB → YIQ (NTSC), the hue rotation's frame, and its inverse.
    private static readonly double[] ToYiq = [0.299, 0.587, 0.114, 0.596, -0.274, -0.322, 0.211, -0.523, 0.312];
    private static readonly double[] FromYiq = Invert3(ToYiq);

    private readonly ViewRecipe _recipe;
    private readonly int _channels, _height, _width;
    private readonly float[] _mean, _std;

    /// <summary>An augmenter for images of <paramref name="input"/>'s shape and normalisation.</summary>
    public PixelViewAugmenter(ViewRecipe recipe, InputSpec input)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(input);
        recipe.Validate();
        if (input.Channels is not (1 or 3) || input.Height < 1 || input.Width < 1 || input.Mean.Length != input.Channels || input.Std.Length != input.Channels
            || input.Std.Any(s => !(s > 0)))
        {
            throw HypersphereException.Invalid(
                $"the input must have 1 or 3 channels, a positive size and one mean and one std > 0 per channel, but was {input.Channels}×{input.Height}×{input.Width} with {input.Mean.Length} means and {input.Std.Length} stds");
        }

        _recipe = recipe;
        (_channels, _height, _width) = (input.Channels, input.Height, input.Width);
        (_mean, _std) = (input.Mean, input.Std);
    }

    /// <summary>The recipe views are made with.</summary>
    public ViewRecipe Recipe => _recipe;

    /// <summary>Floats per image: C·H·W.</summary>
    public int ImageSize => _channels * _height * _width;

    /// <summary>
    /// The augmenter for <paramref name="card"/>'s model: its recorded <c>training.augmentation</c>, or, for cards
    /// written before the recipe was recorded, the trainer's default recipe (<see cref="ViewRecipe.Paper"/>), which
    /// is what those models were trained with.
    /// </summary>
    public static PixelViewAugmenter For(ModelCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        return new PixelViewAugmenter(card.Training.Augmentation ?? ViewRecipe.Paper(), card.Input);
    }

    /// <summary>Writes one random view of <paramref name="pixels"/> (one normalised C×H×W image) to <paramref name="view"/> (the same layout).</summary>
    public void Augment(ReadOnlySpan<float> pixels, Span<float> view, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (pixels.Length != ImageSize || view.Length != ImageSize)
        {
            throw HypersphereException.Invalid(
                $"an image and its view must hold C·H·W = {_channels}·{_height}·{_width} = {ImageSize} floats, but held {pixels.Length} and {view.Length}");
        }

        var plane = _height * _width;
        var rgb = new float[3 * plane];
        ToUnitRgb(pixels, rgb);
        var (top, left, h, w) = _recipe.SampleCrop(_height, _width, random);
        var flip = random.NextDouble() < 0.5;
        ResizedCrop(rgb, top, left, h, w, flip);
        Jitter(rgb, random);
        if (_channels == 3 && _recipe.GrayscaleProbability > 0 && random.NextDouble() < _recipe.GrayscaleProbability)
        {
            for (var p = 0; p < plane; p++)
            {
                rgb[p] = rgb[plane + p] = rgb[(2 * plane) + p] = Gray(rgb, p, plane);
            }
        }

        for (var c = 0; c < _channels; c++)
        {
            for (var p = 0; p < plane; p++)
            {
                view[(c * plane) + p] = (rgb[(c * plane) + p] - _mean[c]) / _std[c];
            }
        }
    }

    /// <summary>Undoes the normalisation into three [0, 1] planes (gray is replicated, so every step below works on RGB).</summary>
    private void ToUnitRgb(ReadOnlySpan<float> pixels, float[] rgb)
    {
        var plane = _height * _width;
        for (var c = 0; c < 3; c++)
        {
            var from = _channels == 3 ? c : 0;
            for (var p = 0; p < plane; p++)
            {
                rgb[(c * plane) + p] = (pixels[(from * plane) + p] * _std[from]) + _mean[from];
            }
        }
    }

    /// <summary>
    /// Draws the crop [left, left + w) × [top, top + h), mirrored when <paramref name="flip"/>, onto the whole H×W
    /// image with bilinear sampling: output pixel centre j maps to left + (j + ½)·w/W in the source, and samples past
    /// the image's edge repeat its border (the shader's clamp tiling).
    /// </summary>
    private void ResizedCrop(float[] rgb, int top, int left, int h, int w, bool flip)
    {
        var plane = _height * _width;
        var info = new SKImageInfo(_width, _height, SKColorType.RgbaF32, SKAlphaType.Premul);
        using var source = new SKBitmap(info);
        var sourcePixels = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(source.GetPixelSpan());
        for (var p = 0; p < plane; p++)
        {
            sourcePixels[4 * p] = rgb[p];
            sourcePixels[(4 * p) + 1] = rgb[plane + p];
            sourcePixels[(4 * p) + 2] = rgb[(2 * plane) + p];
            sourcePixels[(4 * p) + 3] = 1;
        }

        using var target = new SKBitmap(info);
        using (var image = SKImage.FromBitmap(source))
        using (var canvas = new SKCanvas(target))
        {
            // The shader's local matrix takes source coordinates to the canvas: x ↦ (x − left)·W/w, or mirrored
            // x ↦ (left + w − x)·W/w.
            float sx = (float)_width / w, sy = (float)_height / h;
            var matrix = flip
                ? new SKMatrix(-sx, 0, (left + w) * sx, 0, sy, -top * sy, 0, 0, 1)
                : new SKMatrix(sx, 0, -left * sx, 0, sy, -top * sy, 0, 0, 1);
            using var shader = image.ToShader(SKShaderTileMode.Clamp, SKShaderTileMode.Clamp, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None), matrix);
            using var paint = new SKPaint { Shader = shader, BlendMode = SKBlendMode.Src };
            canvas.DrawRect(0, 0, _width, _height, paint);
        }

        ReadOnlySpan<float> drawn = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(target.GetPixelSpan());
        for (var p = 0; p < plane; p++)
        {
            rgb[p] = drawn[4 * p];
            rgb[plane + p] = drawn[(4 * p) + 1];
            rgb[(2 * plane) + p] = drawn[(4 * p) + 2];
        }
    }

    /// <summary>ColorJitter: brightness and contrast (and for colour saturation and hue) in a random order.</summary>
    private void Jitter(float[] rgb, Random random)
    {
        var operations = _channels == 3 ? new[] { 0, 1, 2, 3 } : [0, 1];
        random.Shuffle(operations);
        foreach (var op in operations)
        {
            switch (op)
            {
                case 0 when _recipe.Brightness > 0:
                    Blend(rgb, Factor(_recipe.Brightness, random), static (_, _, _) => 0f);
                    break;
                case 1 when _recipe.Contrast > 0:
                    var mean = MeanGray(rgb);
                    Blend(rgb, Factor(_recipe.Contrast, random), (_, _, _) => mean);
                    break;
                case 2 when _recipe.Saturation > 0:
                    Blend(rgb, Factor(_recipe.Saturation, random), static (x, p, plane) => Gray(x, p, plane));
                    break;
                case 3 when _recipe.Hue > 0:
                    RotateHue(rgb, (2 * Math.PI) * (-_recipe.Hue + (random.NextDouble() * 2 * _recipe.Hue)));
                    break;
            }
        }
    }

    private static float Factor(double strength, Random random)
    {
        var low = Math.Max(0, 1 - strength);
        return (float)(low + (random.NextDouble() * (1 + strength - low)));
    }

    /// <summary>x·f + other·(1 − f), clamped to [0, 1], where other is the pixel's blend partner (0 for brightness).</summary>
    private void Blend(float[] rgb, float f, Func<float[], int, int, float> other)
    {
        var plane = _height * _width;
        for (var p = 0; p < plane; p++)
        {
            var o = other(rgb, p, plane) * (1 - f);
            for (var c = 0; c < 3; c++)
            {
                rgb[(c * plane) + p] = Math.Clamp((rgb[(c * plane) + p] * f) + o, 0f, 1f);
            }
        }
    }

    private float MeanGray(float[] rgb)
    {
        var plane = _height * _width;
        var sum = 0.0;
        for (var p = 0; p < plane; p++)
        {
            sum += Gray(rgb, p, plane);
        }

        return (float)(sum / plane);
    }

    /// <summary>Rotates each pixel's chroma in YIQ by <paramref name="angle"/>, clamped to [0, 1] (the trainer's linear stand-in for an HSV hue shift).</summary>
    private void RotateHue(float[] rgb, double angle)
    {
        var (sin, cos) = Math.SinCos(angle);
        double[] rotation = [1, 0, 0, 0, cos, -sin, 0, sin, cos];
        var m = Multiply3(FromYiq, Multiply3(rotation, ToYiq));
        var plane = _height * _width;
        for (var p = 0; p < plane; p++)
        {
            double r = rgb[p], g = rgb[plane + p], b = rgb[(2 * plane) + p];
            for (var c = 0; c < 3; c++)
            {
                rgb[(c * plane) + p] = (float)Math.Clamp((m[3 * c] * r) + (m[(3 * c) + 1] * g) + (m[(3 * c) + 2] * b), 0, 1);
            }
        }
    }

    /// <summary>ITU-R 601 luma of pixel <paramref name="p"/> (equal planes give the gray value back).</summary>
    private static float Gray(float[] rgb, int p, int plane) => (0.299f * rgb[p]) + (0.587f * rgb[plane + p]) + (0.114f * rgb[(2 * plane) + p]);

    private static double[] Multiply3(double[] a, double[] b)
    {
        var m = new double[9];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                m[(3 * i) + j] = (a[3 * i] * b[j]) + (a[(3 * i) + 1] * b[3 + j]) + (a[(3 * i) + 2] * b[6 + j]);
            }
        }

        return m;
    }

    private static double[] Invert3(double[] a)
    {
        var det = (a[0] * ((a[4] * a[8]) - (a[5] * a[7]))) - (a[1] * ((a[3] * a[8]) - (a[5] * a[6]))) + (a[2] * ((a[3] * a[7]) - (a[4] * a[6])));
        return
        [
            ((a[4] * a[8]) - (a[5] * a[7])) / det, ((a[2] * a[7]) - (a[1] * a[8])) / det, ((a[1] * a[5]) - (a[2] * a[4])) / det,
            ((a[5] * a[6]) - (a[3] * a[8])) / det, ((a[0] * a[8]) - (a[2] * a[6])) / det, ((a[2] * a[3]) - (a[0] * a[5])) / det,
            ((a[3] * a[7]) - (a[4] * a[6])) / det, ((a[1] * a[6]) - (a[0] * a[7])) / det, ((a[0] * a[4]) - (a[1] * a[3])) / det,
        ];
    }
}
