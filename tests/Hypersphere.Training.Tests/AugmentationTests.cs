using Hypersphere.Inference.Augmentation;
using Hypersphere.Training.Augmentation;
using static TorchSharp.torch;

namespace Hypersphere.Training.Tests;

public class AugmentationTests
{
    private static readonly float[] Mean = [0.25f], Std = [0.5f];

    [Fact]
    public void WithFullCropsAndNoJitterEachViewIsTheImageOrItsMirror()
    {
        // Crop scale [1, 1]: every sampled aspect ratio ≠ 1 overflows the image, so the crop falls back to the
        // whole image; the affine grid must then reproduce it pixel for pixel (or mirrored).
        var spec = new AugmentationSpec(8, new ViewRecipe(1, 1, 0, 0, 0, 0, 0), Mean, Std);
        var augmenter = new ViewAugmenter(spec, channels: 1);
        var pixels = Enumerable.Range(0, 16 * 64).Select(i => (byte)((i * 37) % 251)).ToArray();
        using var images = tensor(pixels, [16, 1, 8, 8]);
        using var view = augmenter.Augment(images, new Random(3));
        using var expected = (images.to_type(ScalarType.Float32) / 255f - 0.25f) / 0.5f;
        using var mirrored = expected.flip(3);
        int plain = 0, flipped = 0;
        for (var i = 0; i < 16; i++)
        {
            if (view[i].allclose(expected[i], rtol: 0, atol: 1e-5))
            {
                plain++;
            }
            else if (view[i].allclose(mirrored[i], rtol: 0, atol: 1e-5))
            {
                flipped++;
            }
        }

        Assert.Equal(16, plain + flipped);
        Assert.True(plain > 0 && flipped > 0, $"expected both orientations among 16 views, got {plain} plain and {flipped} mirrored");
    }

    [Fact]
    public void ViewsHaveTheOutputShapeStayInRangeDifferAcrossSeedsAndRepeatForASeed()
    {
        var spec = AugmentationSpec.Paper(24, 0.2, [0.5f, 0.4f, 0.3f], [0.2f, 0.25f, 0.3f]);
        var augmenter = new ViewAugmenter(spec, channels: 3);
        using var images = randint(0, 256, [6, 3, 32, 32], dtype: ScalarType.Byte, generator: new Generator(1));
        using var a = augmenter.Augment(images, new Random(1));
        using var b = augmenter.Augment(images, new Random(1));
        using var c = augmenter.Augment(images, new Random(2));
        Assert.Equal(new long[] { 6, 3, 24, 24 }, a.shape);
        Assert.True(a.allclose(b, rtol: 0, atol: 0));
        Assert.False(a.allclose(c));

        // Undo the normalisation: every pixel must lie in [0, 1].
        using var mean = tensor(new[] { 0.5f, 0.4f, 0.3f }).view(1, 3, 1, 1);
        using var std = tensor(new[] { 0.2f, 0.25f, 0.3f }).view(1, 3, 1, 1);
        using var unit = (a * std) + mean;
        Assert.InRange(unit.min().item<float>(), -1e-5f, 1f);
        Assert.InRange(unit.max().item<float>(), 0f, 1 + 1e-5f);
    }

    [Fact]
    public void CleanViewOnlyNormalisesAtTheOutputSize()
    {
        var augmenter = new ViewAugmenter(AugmentationSpec.Paper(4, 0.2, Mean, Std), 1);
        using var images = full(new long[] { 2, 1, 4, 4 }, (byte)255, dtype: ScalarType.Byte);
        using var clean = augmenter.Clean(images);
        Assert.True(clean.allclose(full(new long[] { 2, 1, 4, 4 }, 1.5f)));
    }
}
