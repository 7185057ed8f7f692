using Google.Protobuf;
using Hypersphere.Core.Errors;
using Hypersphere.Training.Export.Onnx;
using Hypersphere.Training.Models;
using TorchSharp.Modules;
using static Hypersphere.Training.Export.OnnxGraphBuilder;

namespace Hypersphere.Training.Export;

/// <summary>
/// Writes a <see cref="SmallAlexNet"/> as an ONNX model (IR 8, opset 17, the newest Debian's onnx
/// checker accepts; opset 18 would also turn ReduceL2's axes into an input). BatchNorm is folded into the
/// Conv or Gemm before it, so the graph is Conv/Relu/MaxPool ×5, Flatten, Gemm/Relu ×2, Gemm and
/// the L2 normalisation <c>ReduceL2 → Max(·, 1e-12) → Div</c>, exactly what
/// <see cref="SmallAlexNet.Features"/> computes in eval mode.
/// </summary>
public static class OnnxExporter
{
    /// <summary>ONNX IR version written.</summary>
    public const long IrVersion = 8;

    /// <summary>Default-domain opset written.</summary>
    public const long Opset = 17;

    /// <summary>Name of the input: float [N, C, H, W], normalised as the model card says.</summary>
    public const string InputName = "pixels";

    /// <summary>Name of the symbolic batch dimension.</summary>
    public const string BatchDimension = "N";

    /// <summary>The L2-normalised output, float [N, D]; always the first output.</summary>
    public const string EmbeddingOutput = "embedding";

    /// <summary>Optional output: fc7 after BatchNorm and ReLU, float [N, fc units].</summary>
    public const string Fc7Output = "fc7";

    /// <summary>Optional output: pooled conv5 activations, flattened, float [N, C·h·w].</summary>
    public const string Conv5Output = "conv5";

    /// <summary>The ε of F.normalize: rows are divided by max(‖x‖₂, ε).</summary>
    public const float NormalizeEpsilon = 1e-12f;

    /// <summary>Every output the exporter can expose, in the order they are listed.</summary>
    public static IReadOnlyList<string> KnownOutputs { get; } = [EmbeddingOutput, Fc7Output, Conv5Output];

    /// <summary>
    /// The outputs to expose for a request: the embedding first, then the requested extra layers in
    /// the order of <see cref="KnownOutputs"/>; null or empty asks for the embedding alone.
    /// </summary>
    public static IReadOnlyList<string> ResolveOutputs(IEnumerable<string>? requested)
    {
        var asked = new HashSet<string>(requested ?? [], StringComparer.Ordinal);
        var unknown = asked.Where(o => !KnownOutputs.Contains(o)).ToList();
        if (unknown.Count > 0)
        {
            throw HypersphereException.Invalid($"unknown ONNX output(s) {string.Join(", ", unknown.Select(o => $"'{o}'"))}; known outputs are {string.Join(", ", KnownOutputs)}");
        }

        asked.Add(EmbeddingOutput);
        return KnownOutputs.Where(asked.Contains).ToArray();
    }

    /// <summary>
    /// The ONNX bytes of <paramref name="encoder"/> (which must be in eval mode: its BatchNorm running
    /// statistics are folded in) with the given outputs and metadata_props.
    /// </summary>
    public static byte[] Export(SmallAlexNet encoder, IEnumerable<string>? outputs = null, IEnumerable<KeyValuePair<string, string>>? metadata = null) =>
        Build(encoder, ResolveOutputs(outputs), metadata ?? []).ToByteArray();

    internal static ModelProto Build(SmallAlexNet encoder, IReadOnlyList<string> outputs, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        if (encoder.training)
        {
            throw new ArgumentException("the exporter folds BatchNorm running statistics, which is what eval mode computes; call encoder.eval() first", nameof(encoder));
        }

        var config = encoder.Config;
        var graph = new OnnxGraphBuilder(nameof(SmallAlexNet));
        graph.Input(InputName, BatchDimension, config.Channels, config.Height, config.Width);

        var x = InputName;
        var block = 1;
        foreach (var (conv, norm, pooled) in encoder.ConvBlocks)
        {
            x = Conv(graph, $"conv{block}", x, conv, norm);
            x = graph.Node("Relu", $"relu{block}", [x]);
            if (pooled)
            {
                // MaxPool's strides default to 1 in ONNX (PyTorch's to the kernel size): spell them out.
                x = graph.Node("MaxPool", $"pool{block}", [x], Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Ints("pads", 0, 0, 0, 0));
            }

            block++;
        }

        var conv5 = graph.Node("Flatten", Conv5Output, [x], Int("axis", 1));
        var (fc6, bn6, fc7, bn7, fc8) = encoder.Head;
        var hidden = graph.Node("Relu", "fc6", [Gemm(graph, "fc6", conv5, BatchNormFolding.Fold(fc6.weight!, fc6.bias, bn6))]);
        var fc7Features = graph.Node("Relu", Fc7Output, [Gemm(graph, "fc7", hidden, BatchNormFolding.Fold(fc7.weight!, fc7.bias, bn7))]);
        var logits = Gemm(graph, "fc8", fc7Features, Unfolded(fc8));

        var norms = graph.Node("ReduceL2", "fc8.norm", [logits], Ints("axes", 1), Int("keepdims", 1));
        var epsilon = graph.Initializer("normalize.eps", [NormalizeEpsilon]);
        var clamped = graph.Node("Max", "fc8.norm_clamped", [norms, epsilon]);
        graph.Node("Div", EmbeddingOutput, [logits, clamped]);

        var (pooledHeight, pooledWidth) = config.PooledSize;
        var widths = new Dictionary<string, long>
        {
            [EmbeddingOutput] = config.FeatureDim,
            [Fc7Output] = config.FcUnits,
            [Conv5Output] = (long)config.ConvChannels(4) * pooledHeight * pooledWidth,
        };
        foreach (var output in outputs)
        {
            graph.Output(output, BatchDimension, widths[output]);
        }

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "hypersphere",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0",
            DocString = "SmallAlexNet encoder onto the unit hypersphere (Wang & Isola 2020); BatchNorm folded into Conv/Gemm.",
            Graph = graph.Graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = Opset });
        model.MetadataProps.Add(metadata.Select(p => new StringStringEntryProto { Key = p.Key, Value = p.Value }));
        return model;
    }

    private static string Conv(OnnxGraphBuilder graph, string name, string input, Conv2d conv, BatchNorm2d norm)
    {
        var folded = BatchNormFolding.Fold(conv.weight!, conv.bias, norm);
        var shape = folded.Shape;
        if (shape is not [_, _, 3, 3])
        {
            throw new ArgumentException($"{name} must be a 3×3 convolution, but its weight is [{string.Join(", ", shape)}]", nameof(conv));
        }

        var weight = graph.Initializer($"{name}.weight", folded.Weight, shape);
        var bias = graph.Initializer($"{name}.bias", folded.Bias, shape[0]);
        return graph.Node(
            "Conv", $"{name}.conv", [input, weight, bias],
            Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1), Ints("strides", 1, 1), Ints("dilations", 1, 1), Int("group", 1));
    }

    /// <summary>Y = X·Wᵀ + b as Gemm(transB = 1), W stored as PyTorch keeps it, [out, in].</summary>
    private static string Gemm(OnnxGraphBuilder graph, string name, string input, FoldedLayer layer)
    {
        var weight = graph.Initializer($"{name}.weight", layer.Weight, layer.Shape);
        var bias = graph.Initializer($"{name}.bias", layer.Bias, layer.Shape[0]);
        return graph.Node("Gemm", $"{name}.gemm", [input, weight, bias], Int("transB", 1));
    }

    private static FoldedLayer Unfolded(Linear layer)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var weight = layer.weight!.detach().cpu().to_type(TorchSharp.torch.ScalarType.Float32).contiguous();
        var outputs = weight.shape[0];
        var bias = layer.bias is { } b ? b.detach().cpu().to_type(TorchSharp.torch.ScalarType.Float32).contiguous().data<float>().ToArray() : new float[outputs];
        return new FoldedLayer(weight.data<float>().ToArray(), weight.shape, bias);
    }
}
