using Hypersphere.Core.Errors;

namespace Hypersphere.Core.Quality;

/// <summary>
/// Whether a quality analysis visits every pair or a uniform sample of them. By default it is exact up to
/// <see cref="AutoAbovePairs"/> pairs and sampled beyond, with a 95 % half-width of about
/// <see cref="DefaultError"/> on uniformity, and says so in the report's warnings.
/// </summary>
/// <param name="Pairs">Pairs to draw (sampling on); null to decide by <paramref name="Error"/> or by size.</param>
/// <param name="Error">Target 95 % half-width on L_uniform (sampling on, the pair count chosen from a pilot draw).</param>
/// <param name="Seed">Seed of every draw (pairs, the RankMe and k-NN row samples).</param>
/// <param name="Exact">Every pair, whatever the size.</param>
/// <param name="AutoAbovePairs">Above this many pairs, sample unless <paramref name="Exact"/> says otherwise.</param>
/// <param name="MaxExactPairs">Most pairs an exact pass may visit when asked for (a server's cost limit); more is refused.</param>
/// <param name="MaxSampledPairs">Most pairs a sample may draw (a server's cost limit); asking for more, or an error that needs more, is refused.</param>
public sealed record SamplingOptions(
    long? Pairs = null,
    double? Error = null,
    int Seed = 0,
    bool Exact = false,
    long AutoAbovePairs = SamplingOptions.DefaultAutoAbovePairs,
    long MaxExactPairs = long.MaxValue,
    long MaxSampledPairs = long.MaxValue)
{
    /// <summary>2·10⁹ pairs (N ≈ 63 000): a few seconds exact on two cores.</summary>
    public const long DefaultAutoAbovePairs = 2_000_000_000;

    /// <summary>The half-width aimed at when sampling is chosen by size.</summary>
    public const double DefaultError = 0.005;

    /// <summary>Pairs of the pilot draw that sizes a sample for <see cref="Error"/>.</summary>
    public const long PilotPairs = 20_000;

    /// <summary>Most rows RankMe uses when sampled (its cost is N·d²).</summary>
    public const int RankMeRows = 100_000;

    /// <summary>Most rows k-NN accuracy uses when sampled (its cost is N²·d).</summary>
    public const int KnnRows = 10_000;

    /// <summary>Refuses contradictory or out-of-range settings with what was expected.</summary>
    public void Validate()
    {
        if (Exact && (Pairs is not null || Error is not null))
        {
            throw HypersphereException.Invalid("exact and sampling (a pair count or a target error) exclude each other; give one");
        }

        if (Pairs is not null && Error is not null)
        {
            throw HypersphereException.Invalid("give either a pair count or a target error, not both");
        }

        if (Pairs is < 2)
        {
            throw HypersphereException.Invalid($"the pair count must be at least 2, but was {Pairs}");
        }

        if (Error is { } e && !(e > 0 && e < 10))
        {
            throw HypersphereException.Invalid($"the target error must be in (0, 10), but was {e}");
        }

        if (AutoAbovePairs < 1)
        {
            throw HypersphereException.Invalid($"the exact threshold must be at least 1 pair, but was {AutoAbovePairs}");
        }
    }
}
