using Hypersphere.Training.Augmentation;
using Hypersphere.Training.Data;
using Hypersphere.Training.Export;
using Hypersphere.Training.Models;
using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;

namespace Hypersphere.Training.Tests.Export;

/// <summary>Tiny encoders, real and random inputs, and an ONNX Runtime side written apart from the exporter's verifier.</summary>
internal static class ExportFixtures
{
    public static readonly float[] FashionMean = [0.286f], FashionStd = [0.353f];

    /// <summary>A freshly initialised SmallAlexNet at width 1/16 in eval mode (BatchNorm: mean 0, var 1, γ 1, β 0).</summary>
    public static SmallAlexNet Fresh(int channels = 1, int size = 28, long seed = 3)
    {
        var encoder = new SmallAlexNet(new EncoderConfig(channels, size, size, 0.0625, 16), seed);
        encoder.eval();
        return encoder;
    }

    /// <summary>
    /// The same with BatchNorm far from identity, so folding really matters: running statistics from
    /// train-mode passes over shifted, scaled inputs, then random γ and β set by hand.
    /// </summary>
    public static SmallAlexNet WithBatchNormStatistics(int channels = 1, int size = 28, long seed = 3)
    {
        var encoder = Fresh(channels, size, seed);
        using var generator = new Generator(42);
        encoder.train();
        using (no_grad())
        {
            for (var step = 0; step < 5; step++)
            {
                using var scope = NewDisposeScope();
                encoder.forward((randn(16, channels, size, size, generator: generator) * 3) + 1.5);
            }

            var (_, bn6, _, bn7, _) = encoder.Head;
            foreach (var norm in encoder.ConvBlocks.Select(b => (TorchSharp.Modules.NormBase)b.Norm).Append(bn6).Append(bn7))
            {
                var n = norm.num_features;
                norm.weight!.copy_((rand(n, generator: generator) * 1.5) + 0.25);
                norm.bias!.copy_(randn(n, generator: generator) * 0.3);
            }
        }

        encoder.eval();
        return encoder;
    }

    /// <summary>The first <paramref name="count"/> Fashion-MNIST test images, preprocessed as evaluation does.</summary>
    public static Tensor FashionImages(int count)
    {
        var data = DatasetCatalog.Load("fashion-mnist", null, "test", maxImages: count);
        var augmenter = new ViewAugmenter(AugmentationSpec.Paper(28, 0.2, FashionMean, FashionStd), 1);
        using var raw = tensor(data.Pixels, [data.Count, 1, 28, 28]);
        return augmenter.Clean(raw);
    }

    public static Tensor RandomImages(int count, int channels, int size, long seed)
    {
        using var generator = new Generator((ulong)seed);
        return randn(count, channels, size, size, generator: generator);
    }

    /// <summary>Runs <paramref name="batch"/> through ONNX Runtime; every output by name, with its shape.</summary>
    public static Dictionary<string, (long[] Shape, float[] Values)> RunOnnx(InferenceSession session, Tensor batch)
    {
        var contiguous = batch.contiguous();
        using var input = OrtValue.CreateTensorValueFromMemory(contiguous.data<float>().ToArray(), contiguous.shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [OnnxExporter.InputName], [input], session.OutputNames);
        var outputs = new Dictionary<string, (long[], float[])>();
        for (var i = 0; i < results.Count; i++)
        {
            outputs[session.OutputNames[i]] = (results[i].GetTensorTypeAndShape().Shape, results[i].GetTensorDataAsSpan<float>().ToArray());
        }

        return outputs;
    }

    /// <summary>Largest |ORT − TorchSharp| per output of the session on <paramref name="batch"/>; shapes must agree.</summary>
    public static Dictionary<string, double> Differences(InferenceSession session, SmallAlexNet encoder, Tensor batch)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var expected = encoder.Features(batch);
        var references = new Dictionary<string, Tensor> { ["embedding"] = expected.Embedding, ["fc7"] = expected.Fc7, ["conv5"] = expected.Conv5 };
        var differences = new Dictionary<string, double>();
        foreach (var (name, (shape, values)) in RunOnnx(session, batch))
        {
            var reference = references[name];
            Assert.Equal(reference.shape, shape);
            var torch = reference.data<float>().ToArray();
            differences[name] = values.Zip(torch, (a, b) => Math.Abs((double)a - b)).Max();
            Assert.DoesNotContain(values, float.IsNaN);
        }

        return differences;
    }
}
