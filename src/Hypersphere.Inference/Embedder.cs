using Hypersphere.Core.Errors;
using Hypersphere.Core.IO;

namespace Hypersphere.Inference;

/// <summary>Embeddings of N inputs: N×D floats, row-major, unit rows.</summary>
/// <param name="Values">N·D floats.</param>
/// <param name="Count">N.</param>
/// <param name="Dim">D.</param>
public sealed record Embeddings(float[] Values, int Count, int Dim)
{
    /// <summary>Writes them as a float32 (N, D) .npy file.</summary>
    public void WriteNpy(string path) => NpyFile.Write(path, Values, Count, Dim);
}

/// <summary>Runs a whole <see cref="EmbeddingInput"/> through an encoder in batches.</summary>
public sealed class Embedder
{
    /// <summary>Images per run unless told otherwise.</summary>
    public const int DefaultBatchSize = 256;

    private readonly OnnxEncoder _encoder;

    /// <summary>An embedder over <paramref name="encoder"/> (not owned) running <paramref name="batchSize"/> images at a time.</summary>
    public Embedder(OnnxEncoder encoder, int batchSize = DefaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        if (batchSize < 1)
        {
            throw HypersphereException.Invalid($"batch size must be at least 1, but was {batchSize}");
        }

        _encoder = encoder;
        BatchSize = batchSize;
    }

    /// <summary>Images per run.</summary>
    public int BatchSize { get; }

    /// <summary>Embeds every image of <paramref name="input"/>, in order; <paramref name="progress"/> hears the count done after each batch.</summary>
    public Embeddings Embed(EmbeddingInput input, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var spec = _encoder.Card.Input;
        var inputSpec = input.Preprocessor.Spec;
        if (inputSpec.Channels != spec.Channels || inputSpec.Height != spec.Height || inputSpec.Width != spec.Width)
        {
            throw new ArgumentException($"the input must be preprocessed for {spec.Channels}×{spec.Height}×{spec.Width}, but its preprocessor makes {inputSpec.Channels}×{inputSpec.Height}×{inputSpec.Width}", nameof(input));
        }

        var dim = _encoder.Card.EmbeddingDim;
        var values = new float[checked((long)input.Count * dim)];
        var pixels = new float[(long)Math.Min(BatchSize, input.Count) * _encoder.ImageSize];
        for (var start = 0; start < input.Count; start += BatchSize)
        {
            var count = Math.Min(BatchSize, input.Count - start);
            var batch = pixels.AsSpan(0, count * _encoder.ImageSize);
            input.Preprocess(start, count, batch);
            _encoder.Embed(batch, count).CopyTo(values.AsSpan(start * dim));
            progress?.Report(start + count);
        }

        return new Embeddings(values, input.Count, dim);
    }
}
