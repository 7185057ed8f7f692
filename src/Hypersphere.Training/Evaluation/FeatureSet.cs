using Hypersphere.Core.Embeddings;
using Hypersphere.Training.Data;
using Hypersphere.Training.Models;
using static TorchSharp.torch;

namespace Hypersphere.Training.Evaluation;

/// <summary>Frozen features of a labelled image set at the layers evaluation probes.</summary>
/// <param name="Fc7">fc7 activations, row-major [Count, Fc7Dim].</param>
/// <param name="Fc7Dim">fc7 width.</param>
/// <param name="Embedding">L2-normalised outputs, row-major [Count, EmbeddingDim].</param>
/// <param name="EmbeddingDim">Output dimension.</param>
/// <param name="Labels">Class ids.</param>
public sealed record FeatureSet(float[] Fc7, int Fc7Dim, float[] Embedding, int EmbeddingDim, int[] Labels)
{
    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>The outputs as a validated Core matrix (unit rows up to float rounding).</summary>
    public EmbeddingMatrix EmbeddingMatrix => EmbeddingMatrix.Create(Embedding, Count, EmbeddingDim, normalize: false, name: "embeddings");

    /// <summary>Runs <paramref name="encoder"/> (eval mode, no gradient) over <paramref name="data"/>, each batch prepared by <paramref name="view"/>.</summary>
    public static FeatureSet Extract(SmallAlexNet encoder, ImageDataset data, Func<Tensor, Tensor> view, Device device, int batchSize = 500)
    {
        encoder.eval();
        using var noGrad = no_grad();
        var fc7Dim = encoder.Config.FcUnits;
        var dim = encoder.Config.FeatureDim;
        var fc7 = new float[(long)data.Count * fc7Dim];
        var embedding = new float[(long)data.Count * dim];
        for (var start = 0; start < data.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var count = Math.Min(batchSize, data.Count - start);
            var bytes = data.Pixels.AsSpan(start * data.ImageSize, count * data.ImageSize).ToArray();
            var images = tensor(bytes, [count, data.Channels, data.Height, data.Width]);
            var outputs = encoder.Features(view(images).to(device));
            outputs.Fc7.cpu().data<float>().CopyTo(fc7.AsSpan(start * fc7Dim, count * fc7Dim));
            outputs.Embedding.cpu().data<float>().CopyTo(embedding.AsSpan(start * dim, count * dim));
        }

        return new FeatureSet(fc7, fc7Dim, embedding, dim, data.Labels);
    }
}
