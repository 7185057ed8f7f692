using Hypersphere.Core.Errors;
using Hypersphere.Training.Models;
using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;

namespace Hypersphere.Training.Export;

/// <summary>How closely an ONNX model reproduced the TorchSharp encoder on the same inputs.</summary>
/// <param name="BatchSizes">Batch sizes run, each on the first rows of the inputs.</param>
/// <param name="MaxAbsDifference">Largest |ORT − TorchSharp| per output over all batches (∞ for NaN).</param>
/// <param name="Tolerance">Largest difference accepted.</param>
public sealed record OnnxVerification(IReadOnlyList<int> BatchSizes, IReadOnlyDictionary<string, double> MaxAbsDifference, double Tolerance)
{
    /// <summary>Every output of every batch is within the tolerance.</summary>
    public bool Passed => MaxAbsDifference.Values.All(d => d <= Tolerance);

    /// <summary>One line for logs and errors, e.g. <c>embedding 3.0e-08, fc7 9.5e-07 at batch sizes 1, 7, 64 (tolerance 1e-05)</c>.</summary>
    public string Summary =>
        $"{string.Join(", ", MaxAbsDifference.Select(p => $"{p.Key} {p.Value:0.0e+00}"))} at batch sizes {string.Join(", ", BatchSizes)} (tolerance {Tolerance:0e+00})";
}

/// <summary>
/// Runs ONNX bytes in ONNX Runtime's CPU provider and the encoder in TorchSharp (eval mode, no
/// gradient) on the same inputs and compares every output of the model element by element.
/// </summary>
public static class OnnxVerifier
{
    /// <summary>Largest |ORT − TorchSharp| an export may show (float32 rounding of folded weights and summation order).</summary>
    public const double Tolerance = 1e-5;

    /// <summary>One image, an odd size, and a full batch.</summary>
    public static IReadOnlyList<int> DefaultBatchSizes { get; } = [1, 7, 64];

    /// <summary>
    /// Compares <paramref name="onnx"/> with <paramref name="encoder"/> on the first b rows of
    /// <paramref name="inputs"/> (float [M, C, H, W], preprocessed) for each b in <paramref name="batchSizes"/>.
    /// </summary>
    public static OnnxVerification Compare(byte[] onnx, SmallAlexNet encoder, Tensor inputs, IReadOnlyList<int>? batchSizes = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(inputs);
        var sizes = batchSizes ?? DefaultBatchSizes;
        if (sizes.Any(b => b < 1 || b > inputs.shape[0]))
        {
            throw new ArgumentException($"batch sizes must be in [1, {inputs.shape[0]}] (the rows given), but were {string.Join(", ", sizes)}", nameof(batchSizes));
        }

        if (encoder.training)
        {
            throw new ArgumentException("the ONNX graph computes eval mode (BatchNorm running statistics); call encoder.eval() first", nameof(encoder));
        }

        var device = encoder.ConvBlocks[0].Conv.weight!.device;
        using var options = new SessionOptions();
        using var session = new InferenceSession(onnx, options);
        using var runOptions = new RunOptions();
        var outputNames = session.OutputNames;
        var worst = outputNames.ToDictionary(n => n, _ => 0.0, StringComparer.Ordinal);
        foreach (var b in sizes)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var batch = inputs.narrow(0, 0, b).cpu().to_type(ScalarType.Float32).contiguous();
            var expected = encoder.Features(batch.to(device));
            using var input = OrtValue.CreateTensorValueFromMemory(batch.data<float>().ToArray(), batch.shape);
            using var results = session.Run(runOptions, [OnnxExporter.InputName], [input], outputNames);
            for (var i = 0; i < outputNames.Count; i++)
            {
                var name = outputNames[i];
                var reference = Reference(expected, name);
                worst[name] = Math.Max(worst[name], MaxAbsDifference(results[i], reference, name, b));
            }
        }

        return new OnnxVerification(sizes.ToArray(), worst, Tolerance);
    }

    private static Tensor Reference(EncoderOutputs outputs, string name) => name switch
    {
        OnnxExporter.EmbeddingOutput => outputs.Embedding,
        OnnxExporter.Fc7Output => outputs.Fc7,
        OnnxExporter.Conv5Output => outputs.Conv5,
        _ => throw new HypersphereException(ErrorKind.Corrupt, $"the ONNX model has an output '{name}' that the encoder does not compute; known outputs are {string.Join(", ", OnnxExporter.KnownOutputs)}"),
    };

    private static double MaxAbsDifference(OrtValue actual, Tensor expected, string name, int batch)
    {
        var shape = actual.GetTensorTypeAndShape().Shape;
        if (!shape.SequenceEqual(expected.shape))
        {
            throw new HypersphereException(
                ErrorKind.Corrupt,
                $"ONNX output '{name}' at batch {batch} has shape [{string.Join(", ", shape)}], but the encoder's is [{string.Join(", ", expected.shape)}]");
        }

        var ort = actual.GetTensorDataAsSpan<float>();
        var torch = expected.cpu().contiguous().data<float>().ToArray();
        var worst = 0.0;
        for (var i = 0; i < torch.Length; i++)
        {
            var difference = Math.Abs((double)ort[i] - torch[i]);
            worst = double.IsNaN(difference) ? double.PositiveInfinity : Math.Max(worst, difference);
        }

        return worst;
    }
}
