namespace Hypersphere.Core.Metrics;

/// <summary>
/// Arithmetic of uniformity's pairwise kernel. Both accumulate the exponentials and the log-sum-exp in float64;
/// they differ in the Gram dot products. The default is <see cref="Single"/> for rows stored as float32
/// (<see cref="Embeddings.EmbeddingRows.StoredAsSingle"/>) and <see cref="Double"/> for everything else.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The precisions are named as the CLI spells them: --precision single|double.")]
public enum KernelPrecision
{
    /// <summary>Float64 products and sums: agrees with a plain double implementation to ~1e-15.</summary>
    Double,

    /// <summary>
    /// Float32 products and sums within each dot product and a float32 exponential, float64 accumulation across
    /// pairs: about 2× faster; |Δ uniformity| against <see cref="Double"/> is ~1e-8 at t = 2 (docs/performance.md)
    /// and grows with t, as float32's rounding of a dot product is multiplied by 2t.
    /// </summary>
    Single,
}
