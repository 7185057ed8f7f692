using Hypersphere.Core.Errors;
using Hypersphere.Inference;
using static TorchSharp.torch;

namespace Hypersphere.Training.Augmentation;

/// <summary>
/// One random training view of every image of an <see cref="EmbeddingInput"/>: each image is preprocessed as the
/// model's card says, brought back to [0, 1], and put through the paper's view recipe (<see cref="ViewAugmenter"/>)
/// with the card's mean and std. Views are drawn for fixed blocks of <see cref="Block"/> images, each from its own
/// seed mixed from (<c>seed</c>, block), so they do not depend on the embedder's batch size. Embedding these views next to the clean
/// images gives the positive pairs an audit's alignment needs.
/// </summary>
public sealed class AugmentedImages : EmbeddingInput
{
    private readonly EmbeddingInput _images;
    private readonly ViewAugmenter _augmenter;
    private readonly long _seed;
    private int _cachedBlock = -1;
    private float[] _cached = [];

    /// <summary>Images augmented together, from one seed: views depend on (seed, block), never on the embedder's batch size.</summary>
    public const int Block = 256;

    /// <summary>Views of <paramref name="images"/> with crop scale [<paramref name="cropScaleMin"/>, 1], seeded by <paramref name="seed"/>.</summary>
    public AugmentedImages(EmbeddingInput images, long seed, double cropScaleMin = TrainConfigDefaults.CropScaleMin)
    {
        ArgumentNullException.ThrowIfNull(images);
        var spec = images.Preprocessor.Spec;
        if (spec.Height != spec.Width)
        {
            throw HypersphereException.Invalid($"augmented views are square crops, but the model takes {spec.Height}×{spec.Width} images");
        }

        _images = images;
        _seed = seed;
        _augmenter = new ViewAugmenter(AugmentationSpec.Paper(spec.Height, cropScaleMin, spec.Mean, spec.Std), spec.Channels);
    }

    /// <inheritdoc/>
    public override int Count => _images.Count;

    /// <inheritdoc/>
    public override string Description => $"{_images.Description}, one augmented view each (seed {_seed})";

    /// <inheritdoc/>
    public override ImagePreprocessor Preprocessor => _images.Preprocessor;

    /// <inheritdoc/>
    protected override void PreprocessOne(int index, Span<float> destination)
    {
        var block = index / Block;
        if (_cachedBlock != block)
        {
            _cached = AugmentBlock(block);
            _cachedBlock = block;
        }

        var size = Preprocessor.ImageSize;
        _cached.AsSpan((index - (block * Block)) * size, size).CopyTo(destination);
    }

    // Views of images [block·Block, …) in one batch of tensor operations, from the block's own seed.
    private float[] AugmentBlock(int block)
    {
        var spec = Preprocessor.Spec;
        var start = block * Block;
        var count = Math.Min(Block, Count - start);
        var pixels = new float[count * Preprocessor.ImageSize];
        _images.Preprocess(start, count, pixels);
        var plane = spec.Height * spec.Width;
        for (var i = 0; i < pixels.Length; i++)
        {
            var c = i / plane % spec.Channels;
            pixels[i] = Math.Clamp((pixels[i] * spec.Std[c]) + spec.Mean[c], 0f, 1f);
        }

        using var scope = NewDisposeScope();
        var views = _augmenter.Augment(tensor(pixels, [count, spec.Channels, spec.Height, spec.Width]), new Random(Seeds.Mix(_seed, block)));
        return views.contiguous().data<float>().ToArray();
    }
}

/// <summary>Defaults of <see cref="Training.TrainConfig"/> that code outside a run needs.</summary>
public static class TrainConfigDefaults
{
    /// <summary>Smallest RandomResizedCrop area fraction training uses unless told otherwise.</summary>
    public const double CropScaleMin = Inference.Augmentation.ViewRecipe.DefaultCropScaleMin;
}
