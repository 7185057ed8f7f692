using static TorchSharp.torch;

namespace Hypersphere.Training.Losses;

/// <summary>
/// The paper's losses as differentiable tensor functions of L2-normalised embeddings [N, D].
/// Same definitions as Core's metrics (a test checks they agree), so what training minimises is
/// what evaluation reports.
/// </summary>
public static class HypersphereLosses
{
    /// <summary>L_align = mean ‖xᵢ − yᵢ‖^α over positive pairs.</summary>
    public static Tensor Alignment(Tensor x, Tensor y, double alpha)
    {
        using var scope = NewDisposeScope();
        var distance = (x - y).norm(1, keepdim: false, p: 2);
        var value = alpha == 2 ? distance.square().mean() : distance.pow(alpha).mean();
        return value.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// L_uniform = log mean_{i&lt;j} exp(−t‖xᵢ − xⱼ‖²), the log-mean-exp taken with logsumexp so no t
    /// underflows. Squared distances come from the Gram matrix as ‖xᵢ‖² + ‖xⱼ‖² − 2xᵢ·xⱼ, clamped at 0.
    /// </summary>
    public static Tensor Uniformity(Tensor x, double t)
    {
        using var scope = NewDisposeScope();
        var n = x.shape[0];
        var pairs = triu_indices(n, n, 1, device: x.device);
        var squared = SquaredDistances(x, x).index([pairs[0], pairs[1]]);
        return LogMeanExp(squared * -t).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Symmetric InfoNCE with in-batch negatives: cross-entropy of the similarity logits xᵢ·yⱼ/τ toward
    /// the diagonal, averaged over both directions (x→y and y→x).
    /// </summary>
    public static Tensor Contrastive(Tensor x, Tensor y, double tau)
    {
        using var scope = NewDisposeScope();
        var logits = x.matmul(y.t()) / tau;
        var targets = arange(x.shape[0], dtype: ScalarType.Int64, device: x.device);
        var forward = nn.functional.cross_entropy(logits, targets);
        var backward = nn.functional.cross_entropy(logits.t(), targets);
        return ((forward + backward) / 2).MoveToOuterDisposeScope();
    }

    /// <summary>‖aᵢ − bⱼ‖² for all i, j, clamped at 0: [Na, Nb].</summary>
    public static Tensor SquaredDistances(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var aa = a.square().sum(1, keepdim: true);
        var bb = b.square().sum(1, keepdim: true).t();
        return (aa + bb - (2 * a.matmul(b.t()))).clamp_min(0).MoveToOuterDisposeScope();
    }

    /// <summary>log mean exp(v) over all elements of v, stably.</summary>
    public static Tensor LogMeanExp(Tensor v)
    {
        using var scope = NewDisposeScope();
        var flat = v.flatten();
        return (logsumexp(flat, 0) - Math.Log(flat.shape[0])).MoveToOuterDisposeScope();
    }
}
