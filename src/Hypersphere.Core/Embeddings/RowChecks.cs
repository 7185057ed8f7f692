using System.Numerics.Tensors;
using Hypersphere.Core.Errors;

namespace Hypersphere.Core.Embeddings;

/// <summary>The checks every embedding row passes, in memory or streamed, with the same messages.</summary>
internal static class RowChecks
{
    /// <summary>Refuses fewer than 2 rows or 1 column.</summary>
    public static void CheckSize(int rows, int dim, string name)
    {
        if (rows < 2)
        {
            throw HypersphereException.Invalid($"{name} must have at least 2 rows, but had {rows}");
        }

        if (dim < 1)
        {
            throw HypersphereException.Invalid($"{name} must have at least 1 column, but had {dim}");
        }
    }

    /// <summary>
    /// Refuses a row <paramref name="i"/> with a non-finite value or, unless <paramref name="normalize"/>, a norm off 1 by more
    /// than <see cref="EmbeddingMatrix.UnitNormTolerance"/>; with it, L2-normalises the row in place (<see cref="Normalize"/>).
    /// </summary>
    public static void Check(Span<double> row, int i, bool normalize, string name)
    {
        // A finite Σx² proves every value finite; only otherwise is the row scanned for the culprit.
        var squares = TensorPrimitives.Dot<double>(row, row);
        if (!double.IsFinite(squares))
        {
            for (var j = 0; j < row.Length; j++)
            {
                if (!double.IsFinite(row[j]))
                {
                    throw HypersphereException.Invalid($"{name}[{i}][{j}] is {row[j]}, but every value must be a finite number");
                }
            }
        }

        if (normalize)
        {
            if (!Normalize(row))
            {
                throw HypersphereException.Invalid($"{name} row {i} is all zeros and cannot be normalised to unit length");
            }

            return;
        }

        var norm = Math.Sqrt(squares);
        if (Math.Abs(norm - 1) > EmbeddingMatrix.UnitNormTolerance)
        {
            throw HypersphereException.Invalid(
                $"{name} row {i} has L2 norm {norm:G6}, but rows must have unit norm (|‖x‖ − 1| ≤ {EmbeddingMatrix.UnitNormTolerance}); " +
                "ask for normalisation (normalize: true, --normalize) to L2-normalise them first");
        }
    }

    /// <summary>L2-normalises a finite row in place; false if it is all zeros.</summary>
    public static bool Normalize(Span<double> row)
    {
        // Scale by the largest magnitude first so √Σx² neither overflows (1e200) nor underflows (1e-200).
        var largest = TensorPrimitives.MaxMagnitude<double>(row);
        if (largest == 0)
        {
            return false;
        }

        TensorPrimitives.Divide(row, Math.Abs(largest), row);
        TensorPrimitives.Divide(row, Math.Sqrt(TensorPrimitives.Dot<double>(row, row)), row);
        return true;
    }
}
