using Hypersphere.Inference;
using Hypersphere.Training.Augmentation;
using Hypersphere.Training.Data;
using Hypersphere.Training.Evaluation;
using Hypersphere.Training.Losses;
using Hypersphere.Training.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Hypersphere.Training.Tests.Evaluation;

/// <summary>Evaluation (and so the card's scores) sees the pixels the service feeds the model, resized by the same code.</summary>
public sealed class EvaluationImagesTests(ITestOutputHelper output) : IDisposable
{
    private static readonly float[] RgbMean = [0.45f, 0.42f, 0.39f], RgbStd = [0.26f, 0.25f, 0.27f];
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Stl10DownscaledTo64IsWhatTheServiceMakesOfTheSame96PixelImages()
    {
        // Smooth gradients plus seeded noise: both the filter's low-pass and its edge handling show.
        const int count = 4, side = 96;
        var random = new Random(7);
        var rowMajor = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            rowMajor[i] = new byte[3 * side * side];
            for (var c = 0; c < 3; c++)
            {
                for (var y = 0; y < side; y++)
                {
                    for (var x = 0; x < side; x++)
                    {
                        rowMajor[i][(((c * side) + y) * side) + x] = (byte)Math.Clamp(((x + (2 * y)) * (c + 1) % 200) + random.Next(56), 0, 255);
                    }
                }
            }
        }

        WriteStl10Test(rowMajor, side);
        var state = State("stl10", _folder.Path, channels: 3, inputSize: 64, RgbMean, RgbStd);

        AssertEvaluationMatchesTheService(state, EvaluationImages.Load(state, null, "test"), rowMajor, 3, side, side);
    }

    [Fact]
    public void FashionMnistUpscaledTo64IsWhatTheServiceMakesOfTheSame28PixelImages()
    {
        var raw = DatasetCatalog.Load("fashion-mnist", null, "test", maxImages: 6);
        var state = State("fashion-mnist", null, channels: 1, inputSize: 64, [0.286f], [0.353f]);
        var images = Enumerable.Range(0, raw.Count).Select(i => raw.Pixels.AsSpan(i * raw.ImageSize, raw.ImageSize).ToArray()).ToArray();

        AssertEvaluationMatchesTheService(state, EvaluationImages.Load(state, null, "test", maxImages: 6), images, 1, 28, 28);
    }

    [Fact]
    public void TheCleanViewRefusesImagesNotAtTheOutputSizeInsteadOfResizingThemItself()
    {
        var augmenter = new ViewAugmenter(AugmentationSpec.Paper(64, 0.2, RgbMean, RgbStd), 3);
        using var images = zeros([2, 3, 96, 96], ScalarType.Byte);

        var e = Assert.Throws<ArgumentException>(() => augmenter.Clean(images));

        Assert.Contains("output size 64×64, but got 96×96", e.Message, StringComparison.Ordinal);
    }

    /// <summary>The evaluation view of <paramref name="evaluated"/> against <see cref="ImagePreprocessor"/> on the raw images, float for float.</summary>
    private void AssertEvaluationMatchesTheService(TrainState state, ImageDataset evaluated, byte[][] raw, int channels, int height, int width)
    {
        Assert.Equal((raw.Length, state.Channels, state.InputSize, state.InputSize), (evaluated.Count, evaluated.Channels, evaluated.Height, evaluated.Width));
        var augmenter = new ViewAugmenter(AugmentationSpec.Paper(state.InputSize, 0.2, state.Mean, state.Std), state.Channels);
        using var batch = tensor(evaluated.Pixels, [evaluated.Count, evaluated.Channels, evaluated.Height, evaluated.Width]);
        using var clean = augmenter.Clean(batch);
        var evaluation = clean.data<float>().ToArray();

        var service = new ImagePreprocessor(new InputSpec(state.Channels, state.InputSize, state.InputSize, state.Mean, state.Std, ModelCardFile.StretchResize));
        var worst = 0.0;
        for (var i = 0; i < raw.Length; i++)
        {
            var expected = new float[service.ImageSize];
            service.FromPlanes(raw[i], channels, height, width, expected);
            worst = Math.Max(worst, expected.Zip(evaluation.AsSpan(i * service.ImageSize, service.ImageSize).ToArray(), (a, b) => Math.Abs((double)a - b)).Max());
        }

        // Same bytes, same float formula: only float32 rounding of (b / 255 − mean) / std may differ.
        output.WriteLine($"max |evaluation − service| = {worst:E2}");
        Assert.InRange(worst, 0, 1e-6);
    }

    private static TrainState State(string dataset, string? dataDir, int channels, int inputSize, float[] mean, float[] std) => new(
        new TrainConfig(dataset, dataDir, LossSpec.FromPreset("align-uniform"), 1, 64, Width: 0.0625, FeatureDim: 16, Seed: 1, ImageSize: inputSize),
        1, 0, 1, 0, 0, channels, inputSize, mean, std, null);

    /// <summary>STL-10's test split as its binary version stores it: each channel column-major, labels 1-based.</summary>
    private void WriteStl10Test(byte[][] rowMajor, int side)
    {
        var bytes = new byte[rowMajor.Length * 3 * side * side];
        var k = 0;
        foreach (var image in rowMajor)
        {
            for (var c = 0; c < 3; c++)
            {
                for (var x = 0; x < side; x++)
                {
                    for (var y = 0; y < side; y++)
                    {
                        bytes[k++] = image[(((c * side) + y) * side) + x];
                    }
                }
            }
        }

        File.WriteAllBytes(_folder.File("test_X.bin"), bytes);
        File.WriteAllBytes(_folder.File("test_y.bin"), Enumerable.Range(1, rowMajor.Length).Select(l => (byte)l).ToArray());
    }
}
