using Hypersphere.Core.Errors;

namespace Hypersphere.Inference;

/// <summary>
/// Images to embed, preprocessed on demand a batch at a time (so a folder of files is never decoded
/// all at once). Made by <see cref="EmbeddingInputs.Open"/>.
/// </summary>
public abstract class EmbeddingInput
{
    /// <summary>Number of images.</summary>
    public abstract int Count { get; }

    /// <summary>What was read, for messages and logs (e.g. "IDX file 'x' of 10000 images of 1×28×28").</summary>
    public abstract string Description { get; }

    /// <summary>The preprocessor the images go through; its spec is the model's input.</summary>
    public abstract ImagePreprocessor Preprocessor { get; }

    /// <summary>Writes images [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) preprocessed into <paramref name="destination"/> (count·C·H·W floats).</summary>
    public void Preprocess(int start, int count, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + (long)count, Count, nameof(count));
        var size = Preprocessor.ImageSize;
        if (destination.Length != (long)count * size)
        {
            throw new ArgumentException($"destination must hold {count}·{size} floats, but held {destination.Length}", nameof(destination));
        }

        for (var i = 0; i < count; i++)
        {
            PreprocessOne(start + i, destination.Slice(i * size, size));
        }
    }

    /// <summary>Writes image <paramref name="index"/> preprocessed into <paramref name="destination"/> (C·H·W floats).</summary>
    protected abstract void PreprocessOne(int index, Span<float> destination);
}

/// <summary>uint8 channel-first images held in memory (IDX files, uint8 .npy arrays).</summary>
internal sealed class ByteImagesInput(string description, byte[] pixels, int count, int channels, int height, int width, ImagePreprocessor preprocessor)
    : EmbeddingInput
{
    private readonly int _size = channels * height * width;

    public override int Count => count;

    public override string Description => description;

    public override ImagePreprocessor Preprocessor => preprocessor;

    protected override void PreprocessOne(int index, Span<float> destination) =>
        preprocessor.FromPlanes(pixels.AsSpan(index * _size, _size), channels, height, width, destination);
}

/// <summary>Float images already scaled to [0, 1] at the model's size (float .npy arrays): normalised only.</summary>
internal sealed class UnitFloatImagesInput(string description, float[] values, int count, ImagePreprocessor preprocessor) : EmbeddingInput
{
    public override int Count => count;

    public override string Description => description;

    public override ImagePreprocessor Preprocessor => preprocessor;

    protected override void PreprocessOne(int index, Span<float> destination)
    {
        var size = preprocessor.ImageSize;
        try
        {
            preprocessor.FromUnitPlanes(values.AsSpan(index * size, size), destination);
        }
        catch (HypersphereException e)
        {
            throw new HypersphereException(e.Kind, $"{description}, image {index}: {e.Message}", e);
        }
    }
}

/// <summary>Encoded image files, decoded when their batch comes.</summary>
internal sealed class ImageFilesInput(string description, IReadOnlyList<string> paths, ImagePreprocessor preprocessor) : EmbeddingInput
{
    public override int Count => paths.Count;

    public override string Description => description;

    public override ImagePreprocessor Preprocessor => preprocessor;

    protected override void PreprocessOne(int index, Span<float> destination)
    {
        var path = paths[index];
        try
        {
            preprocessor.FromEncoded(File.ReadAllBytes(path), destination);
        }
        catch (HypersphereException e)
        {
            throw new HypersphereException(e.Kind, $"image file '{path}': {e.Message}", e);
        }
    }
}
