using Hypersphere.Core.Errors;

namespace Hypersphere.Training.Losses;

/// <summary>
/// A training objective: w_a·L_align(α) + w_u·(L_uniform(x; t) + L_uniform(y; t))/2 + w_c·L_contrastive(τ),
/// optionally in the MoCo form (momentum key encoder and a queue of past keys).
/// </summary>
/// <param name="Preset">Name of the preset it came from, or <c>custom</c>.</param>
/// <param name="AlignWeight">w_a.</param>
/// <param name="UniformWeight">w_u.</param>
/// <param name="ContrastiveWeight">w_c.</param>
/// <param name="Alpha">Alignment exponent α.</param>
/// <param name="T">Uniformity kernel width t.</param>
/// <param name="Tau">Contrastive temperature τ.</param>
/// <param name="Moco">MoCo settings, or null for in-batch training.</param>
public sealed record LossSpec(
    string Preset,
    double AlignWeight,
    double UniformWeight,
    double ContrastiveWeight,
    double Alpha = 2,
    double T = 2,
    double Tau = 0.5,
    MocoSpec? Moco = null)
{
    /// <summary>Preset names, as the CLI accepts them.</summary>
    public static IReadOnlyList<string> PresetNames { get; } =
        ["align-uniform", "contrastive", "align-only", "uniform-only", "moco-align-uniform"];

    /// <summary>The named preset: the paper's settings.</summary>
    public static LossSpec FromPreset(string name) => name switch
    {
        "align-uniform" => new(name, 1, 1, 0),
        "contrastive" => new(name, 0, 0, 1, Tau: 0.5),
        "align-only" => new(name, 1, 0, 0),
        "uniform-only" => new(name, 0, 1, 0),
        "moco-align-uniform" => new(name, 3, 1, 0, Alpha: 2, T: 3, Moco: new MocoSpec()),
        _ => throw HypersphereException.Invalid($"loss must be one of {string.Join(", ", PresetNames)}, but was '{name}'"),
    };

    /// <summary>Throws unless the weights and parameters make a loss.</summary>
    public void Validate()
    {
        if (AlignWeight < 0 || UniformWeight < 0 || ContrastiveWeight < 0 || AlignWeight + UniformWeight + ContrastiveWeight == 0)
        {
            throw HypersphereException.Invalid($"loss weights must be ≥ 0 and not all 0, but were align {AlignWeight}, uniform {UniformWeight}, contrastive {ContrastiveWeight}");
        }

        if (!(Alpha > 0) || !(T > 0) || !(Tau > 0))
        {
            throw HypersphereException.Invalid($"alpha, t and tau must be > 0, but were {Alpha}, {T}, {Tau}");
        }

        if (Moco is not null && ContrastiveWeight > 0)
        {
            throw HypersphereException.Invalid("the MoCo variant trains alignment and uniformity against the queue; set the contrastive weight to 0");
        }

        Moco?.Validate();
    }
}

/// <summary>MoCo settings (He et al. 2020), as in the paper's ImageNet-100 experiment.</summary>
/// <param name="QueueSize">Number of past keys kept.</param>
/// <param name="Momentum">Key encoder momentum m: θ_k ← m·θ_k + (1 − m)·θ_q.</param>
/// <param name="IntraBatch">Also count query–query pairs in uniformity.</param>
public sealed record MocoSpec(int QueueSize = 65536, double Momentum = 0.999, bool IntraBatch = true)
{
    /// <summary>Throws unless the settings are usable.</summary>
    public void Validate()
    {
        if (QueueSize < 1 || !(Momentum is >= 0 and < 1))
        {
            throw HypersphereException.Invalid($"MoCo needs queue size ≥ 1 and 0 ≤ momentum < 1, but got {QueueSize} and {Momentum}");
        }
    }
}
