using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hypersphere.Training.Export;

/// <summary>A layer's weight and bias with its following BatchNorm folded in.</summary>
/// <param name="Weight">Folded weight, row-major, same shape as the layer's ([O, I, kh, kw] or [O, I]).</param>
/// <param name="Shape">That shape.</param>
/// <param name="Bias">Folded bias [O].</param>
internal sealed record FoldedLayer(float[] Weight, long[] Shape, float[] Bias);

/// <summary>
/// Folds an eval-mode BatchNorm into the convolution or linear layer before it:
/// BN(Wx + b) = γ(Wx + b − μ)/√(σ² + ε) + β = (sW)x + (s(b − μ) + β) with s = γ/√(σ² + ε), per output
/// channel. Computed in float64 and rounded once, so the folded float32 weights differ from the
/// unfolded network only by that one rounding.
/// </summary>
internal static class BatchNormFolding
{
    public static FoldedLayer Fold(Tensor weight, Tensor? bias, NormBase norm)
    {
        var shape = weight.shape;
        var outputs = (int)shape[0];
        if (norm.num_features != outputs)
        {
            throw new ArgumentException($"BatchNorm has {norm.num_features} features, but the layer before it has {outputs} outputs", nameof(norm));
        }

        var w = Doubles(weight);
        var b = bias is null ? new double[outputs] : Doubles(bias);
        var mean = norm.running_mean is { } m ? Doubles(m) : new double[outputs];
        var variance = norm.running_var is { } v ? Doubles(v) : Enumerable.Repeat(1.0, outputs).ToArray();
        var gamma = norm.weight is { } g ? Doubles(g) : Enumerable.Repeat(1.0, outputs).ToArray();
        var beta = norm.bias is { } β ? Doubles(β) : new double[outputs];

        var perOutput = w.Length / outputs;
        var folded = new float[w.Length];
        var foldedBias = new float[outputs];
        for (var o = 0; o < outputs; o++)
        {
            var scale = gamma[o] / Math.Sqrt(variance[o] + norm.eps);
            for (var k = 0; k < perOutput; k++)
            {
                var i = (o * perOutput) + k;
                folded[i] = (float)(w[i] * scale);
            }

            foldedBias[o] = (float)(((b[o] - mean[o]) * scale) + beta[o]);
        }

        return new FoldedLayer(folded, shape, foldedBias);
    }

    private static double[] Doubles(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.detach().cpu().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
    }
}
