using System.Numerics.Tensors;
using Hypersphere.Core.Errors;

namespace Hypersphere.Core.Embeddings;

/// <summary>
/// A validated N×d batch of embeddings with unit-norm rows, stored row-major in float64
/// (the metrics accumulate in float64; float32 inputs convert exactly).
/// </summary>
public sealed class EmbeddingMatrix
{
    /// <summary>Largest allowed deviation of a row norm from 1 when normalisation is not requested.</summary>
    public const double UnitNormTolerance = 1e-3;

    private readonly double[] _data;

    /// <summary>
    /// The normalised singular-value spectrum, once computed (<see cref="Metrics.RankMe.Spectrum"/>): the matrix
    /// never changes, and a report asks for it twice (RankMe, then its figure).
    /// </summary>
    private double[]? _spectrum;

    private EmbeddingMatrix(double[] data, int rows, int dim)
    {
        _data = data;
        Rows = rows;
        Dim = dim;
    }

    /// <summary>Number of embeddings (N).</summary>
    public int Rows { get; }

    /// <summary>Embedding dimension (d).</summary>
    public int Dim { get; }

    /// <summary>All values, row-major.</summary>
    public ReadOnlySpan<double> Values => _data;

    /// <summary>The spectrum computed by <paramref name="compute"/> the first time, the same values after (a copy each time).</summary>
    internal double[] Spectrum(Func<EmbeddingMatrix, double[]> compute)
    {
        var spectrum = Volatile.Read(ref _spectrum);
        if (spectrum is null)
        {
            spectrum = compute(this);
            spectrum = Interlocked.CompareExchange(ref _spectrum, spectrum, null) ?? spectrum;
        }

        return (double[])spectrum.Clone();
    }

    /// <summary>Row <paramref name="i"/>.</summary>
    public ReadOnlySpan<double> Row(int i) => _data.AsSpan(i * Dim, Dim);

    /// <summary>
    /// Validates a flat row-major buffer. Rows must be unit norm unless <paramref name="normalize"/>
    /// is set, in which case each row is L2-normalised (zero rows are refused either way).
    /// </summary>
    /// <param name="values">N·d values, row-major.</param>
    /// <param name="rows">N.</param>
    /// <param name="dim">d.</param>
    /// <param name="normalize">L2-normalise rows instead of refusing non-unit ones.</param>
    /// <param name="name">What the caller calls this input, used in error messages.</param>
    public static EmbeddingMatrix Create(ReadOnlySpan<double> values, int rows, int dim, bool normalize, string name = "embeddings")
    {
        CheckShape(values.Length, rows, dim, name);
        var data = values.ToArray();
        Validate(data, rows, dim, normalize, name);
        return new EmbeddingMatrix(data, rows, dim);
    }

    /// <inheritdoc cref="Create(ReadOnlySpan{double}, int, int, bool, string)"/>
    public static EmbeddingMatrix Create(ReadOnlySpan<float> values, int rows, int dim, bool normalize, string name = "embeddings")
    {
        CheckShape(values.Length, rows, dim, name);
        var data = new double[values.Length];
        TensorPrimitives.ConvertChecked(values, data.AsSpan());
        Validate(data, rows, dim, normalize, name);
        return new EmbeddingMatrix(data, rows, dim);
    }

    /// <summary>Validates jagged rows (as JSON or CSV deliver them); ragged rows are refused.</summary>
    public static EmbeddingMatrix FromRows(IReadOnlyList<IReadOnlyList<double>> rows, bool normalize, string name = "embeddings")
    {
        if (rows.Count == 0)
        {
            throw HypersphereException.Invalid($"{name} must have at least 2 rows, but had 0");
        }

        var dim = rows[0].Count;
        var data = new double[checked(rows.Count * dim)];
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (row.Count != dim)
            {
                throw HypersphereException.Invalid(
                    $"{name} rows must all have the same length: row 0 has {dim} values, but row {i} has {row.Count}");
            }

            for (var j = 0; j < dim; j++)
            {
                data[(i * dim) + j] = row[j];
            }
        }

        Validate(data, rows.Count, dim, normalize, name);
        return new EmbeddingMatrix(data, rows.Count, dim);
    }

    private static void CheckShape(int length, int rows, int dim, string name)
    {
        if (dim < 1)
        {
            throw HypersphereException.Invalid($"{name} must have at least 1 column, but had {dim}");
        }

        if ((long)rows * dim != length)
        {
            throw HypersphereException.Invalid($"{name} shape [{rows}, {dim}] needs {(long)rows * dim} values, but {length} were given");
        }
    }

    private static void Validate(double[] data, int rows, int dim, bool normalize, string name)
    {
        if (rows < 2)
        {
            throw HypersphereException.Invalid($"{name} must have at least 2 rows, but had {rows}");
        }

        if (dim < 1)
        {
            throw HypersphereException.Invalid($"{name} must have at least 1 column, but had {dim}");
        }

        for (var i = 0; i < rows; i++)
        {
            var row = data.AsSpan(i * dim, dim);
            for (var j = 0; j < dim; j++)
            {
                if (!double.IsFinite(row[j]))
                {
                    throw HypersphereException.Invalid($"{name}[{i}][{j}] is {row[j]}, but every value must be a finite number");
                }
            }

            if (normalize)
            {
                // Scale by the largest magnitude first so √Σx² neither overflows (1e200) nor underflows (1e-200).
                var largest = TensorPrimitives.MaxMagnitude<double>(row);
                if (largest == 0)
                {
                    throw HypersphereException.Invalid($"{name} row {i} is all zeros and cannot be normalised to unit length");
                }

                TensorPrimitives.Divide(row, Math.Abs(largest), row);
                TensorPrimitives.Divide(row, Math.Sqrt(TensorPrimitives.Dot<double>(row, row)), row);
                continue;
            }

            var norm = Math.Sqrt(TensorPrimitives.Dot<double>(row, row));
            if (Math.Abs(norm - 1) > UnitNormTolerance)
            {
                throw HypersphereException.Invalid(
                    $"{name} row {i} has L2 norm {norm:G6}, but rows must have unit norm (|‖x‖ − 1| ≤ {UnitNormTolerance}); " +
                    "ask for normalisation (normalize: true, --normalize) to L2-normalise them first");
            }
        }
    }
}
