using Hypersphere.Training.Models;
using static TorchSharp.torch;

namespace Hypersphere.Training.Losses;

/// <summary>The loss of one step and its parts, detached, for logging.</summary>
/// <param name="Loss">The differentiable total.</param>
/// <param name="Alignment">L_align(α) between the two views.</param>
/// <param name="Uniformity">Mean of the two views' L_uniform(t) (query–queue uniformity for MoCo).</param>
public sealed record StepLoss(Tensor Loss, Tensor Alignment, Tensor Uniformity);

/// <summary>
/// Turns two augmented views into the loss a <see cref="LossSpec"/> describes. Owns the MoCo key
/// encoder and queue when the spec asks for them.
/// </summary>
public sealed class TrainingObjective : IDisposable
{
    private readonly SmallAlexNet _encoder;

    /// <summary>Creates the objective for <paramref name="encoder"/> (and its MoCo key encoder, seeded alike).</summary>
    public TrainingObjective(LossSpec spec, SmallAlexNet encoder, long seed)
    {
        spec.Validate();
        Spec = spec;
        _encoder = encoder;
        if (spec.Moco is not null)
        {
            Moco = new MomentumKeys(spec.Moco, encoder, seed);
        }
    }

    /// <summary>The loss definition.</summary>
    public LossSpec Spec { get; }

    /// <summary>MoCo's key encoder and queue, or null.</summary>
    public MomentumKeys? Moco { get; }

    /// <summary>Computes the loss of a step (call inside the step's dispose scope).</summary>
    public StepLoss Compute(Tensor view1, Tensor view2)
    {
        if (Moco is not null)
        {
            return ComputeMoco(view1, view2, Moco);
        }

        // One forward pass for both views: BatchNorm sees the whole 2B batch, as in the official code.
        var both = _encoder.forward(cat([view1, view2], 0));
        var halves = both.chunk(2, 0);
        var (x, y) = (halves[0], halves[1]);
        var alignment = HypersphereLosses.Alignment(x, y, Spec.Alpha);
        var uniformity = (HypersphereLosses.Uniformity(x, Spec.T) + HypersphereLosses.Uniformity(y, Spec.T)) / 2;
        var loss = zeros(1, device: both.device).squeeze();
        if (Spec.AlignWeight > 0)
        {
            loss += Spec.AlignWeight * alignment;
        }

        if (Spec.UniformWeight > 0)
        {
            loss += Spec.UniformWeight * uniformity;
        }

        if (Spec.ContrastiveWeight > 0)
        {
            loss += Spec.ContrastiveWeight * HypersphereLosses.Contrastive(x, y, Spec.Tau);
        }

        return new StepLoss(loss, alignment.detach(), uniformity.detach());
    }

    private StepLoss ComputeMoco(Tensor view1, Tensor view2, MomentumKeys moco)
    {
        var q = _encoder.forward(view1);
        var k = moco.Keys(view2);
        var alignment = HypersphereLosses.Alignment(q, k, Spec.Alpha);
        var squared = new List<Tensor>();
        // A copy: the queue is updated in place below, before backward needs these keys.
        var queue = moco.Stored?.clone();
        if (queue is not null)
        {
            squared.Add(HypersphereLosses.SquaredDistances(q, queue).flatten());
        }

        if (Spec.Moco!.IntraBatch || queue is null)
        {
            var n = q.shape[0];
            var pairs = triu_indices(n, n, 1, device: q.device);
            squared.Add(HypersphereLosses.SquaredDistances(q, q).index([pairs[0], pairs[1]]));
        }

        var uniformity = HypersphereLosses.LogMeanExp(cat(squared, 0) * -Spec.T);
        var loss = (Spec.AlignWeight * alignment) + (Spec.UniformWeight * uniformity);
        moco.Enqueue(k);
        return new StepLoss(loss, alignment.detach(), uniformity.detach());
    }

    /// <inheritdoc/>
    public void Dispose() => Moco?.Dispose();
}
