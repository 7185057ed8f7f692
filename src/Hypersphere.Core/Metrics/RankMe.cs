using System.Numerics.Tensors;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Errors;
using MathNet.Numerics.LinearAlgebra;

namespace Hypersphere.Core.Metrics;

/// <summary>
/// RankMe (Garrido et al., ICML 2023): exp of the Shannon entropy of the normalised singular
/// values of the (uncentred) embedding matrix, pₖ = σₖ / Σσ + ε. A smooth effective rank in
/// [1, min(N, d)]: d for orthonormal rows, 1 when every row is the same.
/// </summary>
public static class RankMe
{
    /// <summary>The ε of the RankMe paper, which keeps log pₖ finite for zero singular values.</summary>
    public const double Epsilon = 1e-7;

    /// <summary>RankMe of the rows of <paramref name="x"/>: <see cref="FromSpectrum"/> of <see cref="Spectrum"/>.</summary>
    public static double Compute(EmbeddingRows x) => FromSpectrum(Spectrum(x));

    /// <summary>
    /// The normalised singular-value spectrum of the (uncentred) rows of <paramref name="x"/>: pₖ = σₖ / Σσ
    /// for k = 1 … min(N, d), largest first, summing to 1 (all zero only if every row is zero, which
    /// an <see cref="EmbeddingMatrix"/> never holds). This is the distribution whose entropy RankMe is.
    /// </summary>
    /// <remarks>Computed once per matrix (matrices never change); each call returns its own copy.</remarks>
    public static double[] Spectrum(EmbeddingRows x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Spectrum(ComputeSpectrum);
    }

    private static double[] ComputeSpectrum(EmbeddingRows x)
    {
        var sigma = SingularValues(x);
        Array.Sort(sigma, (a, b) => b.CompareTo(a));
        var total = sigma.Sum();
        if (total > 0)
        {
            for (var k = 0; k < sigma.Length; k++)
            {
                sigma[k] /= total;
            }
        }

        return sigma;
    }

    /// <summary>
    /// RankMe from a normalised spectrum <paramref name="p"/> (as <see cref="Spectrum"/> gives it):
    /// exp(−Σ (pₖ + ε) log(pₖ + ε)) with ε = <see cref="Epsilon"/>; 1 for an all-zero spectrum.
    /// </summary>
    public static double FromSpectrum(ReadOnlySpan<double> p)
    {
        var total = 0.0;
        foreach (var value in p)
        {
            total += value;
        }

        if (total == 0)
        {
            return 1;
        }

        var entropy = 0.0;
        foreach (var value in p)
        {
            var q = value + Epsilon;
            entropy -= q * Math.Log(q);
        }

        return Math.Exp(entropy);
    }

    /// <summary>
    /// Singular values of X from the eigenvalues of the smaller Gram matrix (XᵀX, d×d, or XXᵀ,
    /// N×N), which share their non-zero spectrum; the Gram is built with the tiled float64 kernel, XᵀX a block of
    /// rows at a time (summed in block order) so a streamed input is never held whole.
    /// </summary>
    internal static double[] SingularValues(EmbeddingRows x)
    {
        var side = Math.Min(x.Rows, x.Dim);
        if ((long)side * side > Array.MaxLength)
        {
            throw new HypersphereException(
                ErrorKind.TooLarge,
                $"RankMe needs a {side}×{side} Gram matrix for {x.Rows} rows of dimension {x.Dim}, but at most {Array.MaxLength} entries can be held");
        }

        var gram = x.Dim <= x.Rows ? ColumnGram(x) : GramMatrix.OfRows(x.ToMatrix().Values, x.Rows, x.Dim);
        var size = (int)Math.Sqrt(gram.Length);
        var matrix = Matrix<double>.Build.Dense(size, size, gram);
        var eigen = matrix.Evd(Symmetricity.Symmetric).EigenValues;
        var sigma = new double[size];
        for (var i = 0; i < size; i++)
        {
            sigma[i] = Math.Sqrt(Math.Max(0, eigen[i].Real));
        }

        return sigma;
    }

    private static double[] ColumnGram(EmbeddingRows x)
    {
        var gram = new double[x.Dim * x.Dim];
        var transposed = new double[Math.Min(EmbeddingRows.PassBlock, x.Rows) * x.Dim];
        x.ForEachBlock((_, count, rows) =>
        {
            for (var i = 0; i < count; i++)
            {
                for (var k = 0; k < x.Dim; k++)
                {
                    transposed[(k * count) + i] = rows[(i * x.Dim) + k];
                }
            }

            TensorPrimitives.Add(gram, GramMatrix.OfRows(transposed.AsSpan(0, count * x.Dim), x.Dim, count), gram);
        });

        return gram;
    }
}
