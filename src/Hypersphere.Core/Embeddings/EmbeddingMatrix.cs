using System.Numerics.Tensors;
using Hypersphere.Core.Errors;

namespace Hypersphere.Core.Embeddings;

/// <summary>
/// A validated N×d batch of embeddings with unit-norm rows, stored row-major in float64
/// (the metrics accumulate in float64; float32 inputs convert exactly).
/// </summary>
public sealed class EmbeddingMatrix : EmbeddingRows
{
    /// <summary>Largest allowed deviation of a row norm from 1 when normalisation is not requested.</summary>
    public const double UnitNormTolerance = 1e-3;

    private readonly double[] _data;

    private EmbeddingMatrix(double[] data, int rows, int dim)
        : base(rows, dim) => _data = data;


    /// <summary>All values, row-major.</summary>
    public ReadOnlySpan<double> Values => _data;

    /// <summary>Row <paramref name="i"/>.</summary>
    public ReadOnlySpan<double> Row(int i) => _data.AsSpan(i * Dim, Dim);

    /// <inheritdoc/>
    public override void ReadRows(int first, Span<double> destination) => _data.AsSpan(first * Dim, destination.Length).CopyTo(destination);

    /// <summary>Blocks are slices of the matrix itself: no copy.</summary>
    internal override void ForEachBlock(RowBlockAction action, int blockRows = PassBlock)
    {
        for (var first = 0; first < Rows; first += blockRows)
        {
            var count = Math.Min(blockRows, Rows - first);
            action(first, count, _data.AsSpan(first * Dim, count * Dim));
        }
    }

    /// <summary>This matrix.</summary>
    public override EmbeddingMatrix ToMatrix() => this;

    /// <summary>A matrix over <paramref name="data"/> as it is, for rows taken from an already validated source.</summary>
    internal static EmbeddingMatrix Wrap(double[] data, int rows, int dim) => new(data, rows, dim);

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
        RowChecks.CheckSize(rows, dim, name);
        for (var i = 0; i < rows; i++)
        {
            RowChecks.Check(data.AsSpan(i * dim, dim), i, normalize, name);
        }
    }
}
