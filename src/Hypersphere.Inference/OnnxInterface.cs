using Hypersphere.Core.Errors;
using Microsoft.ML.OnnxRuntime;

namespace Hypersphere.Inference;

/// <summary>
/// Checks that a session's graph has the interface its card promises: one float input
/// [N, C, H, W] with a dynamic batch, and the card's outputs as float tensors, the first [N, D].
/// </summary>
internal static class OnnxInterface
{
    public static void Check(InferenceSession session, ModelFolder folder)
    {
        var card = folder.Card;
        var spec = card.Input;
        var inputs = session.InputMetadata;
        if (inputs.Count != 1 || !inputs.TryGetValue(card.Onnx.Input, out var input))
        {
            throw Mismatch(folder, $"the card's onnx.input is '{card.Onnx.Input}', but the graph's inputs are [{string.Join(", ", inputs.Keys)}]; exactly that one input is expected");
        }

        int[] expected = [-1, spec.Channels, spec.Height, spec.Width];
        if (input.ElementType != typeof(float) || !input.Dimensions.SequenceEqual(expected))
        {
            throw Mismatch(folder, $"input '{card.Onnx.Input}' must be float [N, {spec.Channels}, {spec.Height}, {spec.Width}] with a dynamic N (from the card's input), but was {Describe(input)}");
        }

        foreach (var name in card.Onnx.Outputs)
        {
            if (!session.OutputMetadata.TryGetValue(name, out var output))
            {
                throw Mismatch(folder, $"the card's onnx.outputs names '{name}', but the graph's outputs are [{string.Join(", ", session.OutputNames)}]");
            }

            if (output.ElementType != typeof(float))
            {
                throw Mismatch(folder, $"output '{name}' must be float, but was {Describe(output)}");
            }
        }

        var embedding = session.OutputMetadata[card.Onnx.Outputs[0]];
        var dims = embedding.Dimensions;
        if (dims.Length != 2 || (dims[1] != -1 && dims[1] != card.EmbeddingDim))
        {
            throw Mismatch(folder, $"embedding output '{card.Onnx.Outputs[0]}' must be [N, {card.EmbeddingDim}] (embedding_dim in the card), but was {Describe(embedding)}");
        }
    }

    private static string Describe(NodeMetadata node) =>
        $"{(node.ElementType == typeof(float) ? "float" : node.ElementType.Name)} [{string.Join(", ", node.Dimensions.Select((d, i) => d < 0 ? Symbol(node, i) : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]";

    private static string Symbol(NodeMetadata node, int axis)
    {
        var symbol = node.SymbolicDimensions.ElementAtOrDefault(axis);
        return string.IsNullOrEmpty(symbol) ? "?" : symbol;
    }

    private static HypersphereException Mismatch(ModelFolder folder, string detail) =>
        new(ErrorKind.Corrupt, $"model {folder.Id} in '{folder.Directory}' does not match its card: {detail}");
}
