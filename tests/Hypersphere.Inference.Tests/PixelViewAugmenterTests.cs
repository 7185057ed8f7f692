using Hypersphere.Core.Errors;
using Hypersphere.Inference.Augmentation;
using Hypersphere.Testing;

namespace Hypersphere.Inference.Tests;

/// <summary>Closed-form properties of the service's views; their agreement with the trainer's is tested in the Training tests.</summary>
public sealed class PixelViewAugmenterTests
{
    private static readonly InputSpec Gray8 = new(1, 8, 8, [0.25f], [0.5f], ModelCardFile.StretchResize);

    [Fact]
    public void WithFullCropsAndNoJitterAViewIsTheImageOrItsMirror()
    {
        // Crop scale [1, 1]: every aspect ratio ≠ 1 overflows the image, so the crop falls back to the whole image,
        // and the bilinear draw of an unscaled crop lands on pixel centres: the image itself, or mirrored.
        var augmenter = new PixelViewAugmenter(new ViewRecipe(1, 1, 0, 0, 0, 0, 0), Gray8);
        var image = Enumerable.Range(0, 64).Select(i => (((i * 37 % 251) / 255f) - 0.25f) / 0.5f).ToArray();
        var mirrored = Enumerable.Range(0, 64).Select(i => image[(i / 8 * 8) + 7 - (i % 8)]).ToArray();
        int plain = 0, flipped = 0;
        for (var seed = 0; seed < 16; seed++)
        {
            var view = new float[64];
            augmenter.Augment(image, view, new Random(seed));
            plain += Close(view, image) ? 1 : 0;
            flipped += Close(view, mirrored) ? 1 : 0;
        }

        Assert.Equal(16, plain + flipped);
        Assert.True(plain > 0 && flipped > 0, $"expected both orientations among 16 views, got {plain} plain and {flipped} mirrored");
    }

    [Fact]
    public void BrightnessAloneScalesEveryPixelByOneFactorAndClampsAtOne()
    {
        // Only brightness 0.5, full crops: view = clamp(x·f) with one f in [0.5, 1.5] for the whole image.
        var augmenter = new PixelViewAugmenter(new ViewRecipe(1, 1, 0.5, 0, 0, 0, 0), Gray8);
        var unit = Enumerable.Range(0, 64).Select(i => 0.3f + (i % 8 * 0.1f)).ToArray();
        unit = Symmetric(unit); // the same either way round, so the flip does not matter
        var image = unit.Select(u => (u - 0.25f) / 0.5f).ToArray();
        var view = new float[64];
        augmenter.Augment(image, view, new Random(5));
        var back = view.Select(v => (v * 0.5f) + 0.25f).ToArray();
        var f = back[0] / unit[0];
        Assert.InRange(f, 0.5f, 1.5f);
        for (var i = 0; i < 64; i++)
        {
            Assert.Equal(Math.Min(1f, unit[i] * f), back[i], 1e-5f);
        }
    }

    [Fact]
    public void ASeedGivesOneViewAndViewsStayInThePixelRange()
    {
        var augmenter = new PixelViewAugmenter(ViewRecipe.Paper(), new InputSpec(3, 16, 16, [0.5f, 0.4f, 0.3f], [0.2f, 0.25f, 0.3f], ModelCardFile.StretchResize));
        var random = new Random(2);
        var image = Enumerable.Range(0, 768).Select(i => ((float)random.NextDouble() - new[] { 0.5f, 0.4f, 0.3f }[i / 256]) / new[] { 0.2f, 0.25f, 0.3f }[i / 256]).ToArray();
        float[] a = new float[768], b = new float[768], c = new float[768];
        augmenter.Augment(image, a, new Random(9));
        augmenter.Augment(image, b, new Random(9));
        augmenter.Augment(image, c, new Random(10));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        for (var i = 0; i < 768; i++)
        {
            var u = (a[i] * new[] { 0.2f, 0.25f, 0.3f }[i / 256]) + new[] { 0.5f, 0.4f, 0.3f }[i / 256];
            Assert.InRange(u, -1e-5f, 1 + 1e-5f);
        }
    }

    [Fact]
    public void ACardWithoutARecipeGetsTheTrainersDefaultAndItsInput()
    {
        var card = ModelCardFile.Read(Path.Combine(Repository.Root, "models", "fmnist-align-uniform", "2", "model.json"));
        Assert.Null(card.Training.Augmentation);
        var augmenter = PixelViewAugmenter.For(card);
        Assert.Equal(ViewRecipe.Paper(0.2), augmenter.Recipe);
        Assert.Equal(28 * 28, augmenter.ImageSize);
        var recorded = card with { Training = card.Training with { Augmentation = ViewRecipe.Paper(0.5) } };
        Assert.Equal(0.5, PixelViewAugmenter.For(recorded).Recipe.CropScaleMin);
    }

    [Fact]
    public void WrongSizesAndBadRecipesAreRefusedWithWhatWasExpected()
    {
        var augmenter = new PixelViewAugmenter(ViewRecipe.Paper(), Gray8);
        var e = Assert.Throws<HypersphereException>(() => augmenter.Augment(new float[63], new float[64], new Random(0)));
        Assert.Equal(ErrorKind.InvalidInput, e.Kind);
        Assert.Contains("C·H·W = 1·8·8 = 64 floats, but held 63 and 64", e.Message, StringComparison.Ordinal);
        var bad = Assert.Throws<HypersphereException>(() => new PixelViewAugmenter(ViewRecipe.Paper() with { Hue = 0.7 }, Gray8));
        Assert.Contains("hue 0.7", bad.Message, StringComparison.Ordinal);
    }

    private static float[] Symmetric(float[] unit) =>
        Enumerable.Range(0, 64).Select(i => unit[(i / 8 * 8) + Math.Min(i % 8, 7 - (i % 8))]).ToArray();

    private static bool Close(float[] a, float[] b) => a.Zip(b).All(p => Math.Abs(p.First - p.Second) <= 1e-5f);
}
