using System.Globalization;
using System.Text.Json;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Errors;
using Hypersphere.Core.IO;
using Hypersphere.Service.Runtime.Inputs;

namespace Hypersphere.Service.Api;

/// <summary>
/// Reads the JSON matrices and labels of a quality request. Wrong JSON shapes are
/// <see cref="ErrorKind.BadRequest"/>; more than the allowed rows × dim is <see cref="ErrorKind.TooLarge"/>,
/// checked before the values are read; ragged rows, non-finite values, non-unit rows and the like are
/// <see cref="ErrorKind.InvalidInput"/> (the last ones from Core's <see cref="EmbeddingMatrix"/>).
/// </summary>
public static class QualityInputs
{
    /// <summary>Whether a request field was sent (neither missing nor <c>null</c>).</summary>
    public static bool Given(JsonElement value) => value.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null);

    /// <summary>A validated matrix from <paramref name="rows"/> (<paramref name="field"/> in messages).</summary>
    public static EmbeddingMatrix Matrix(JsonElement rows, string field, long maxValues, bool normalize)
    {
        var values = Values(rows, field, maxValues);
        return EmbeddingMatrix.Create(values.Values, values.Rows, values.Cols, normalize, field);
    }

    /// <summary>
    /// The numbers of <paramref name="rows"/>, rectangular and finite, of any norm (representations compared by
    /// <c>/v1/compare</c> need not be unit vectors).
    /// </summary>
    public static MatrixData Values(JsonElement rows, string field, long maxValues)
    {
        if (rows.ValueKind != JsonValueKind.Array)
        {
            throw HypersphereException.Bad($"{field} must be an array of rows (arrays of numbers), but was {InputItems.Describe(rows)}");
        }

        var count = rows.GetArrayLength();
        if (count == 0)
        {
            throw HypersphereException.Invalid($"{field} must have at least 2 rows, but had 0");
        }

        var dim = RowLength(rows[0], $"{field}[0]");
        CheckSize(field, count, dim, maxValues);

        var values = new double[count * dim];
        var i = 0;
        foreach (var row in rows.EnumerateArray())
        {
            var length = RowLength(row, $"{field}[{i}]");
            if (length != dim)
            {
                throw HypersphereException.Invalid($"{field} rows must all have the same length: row 0 has {dim} values, but row {i} has {length}");
            }

            var j = 0;
            foreach (var value in row.EnumerateArray())
            {
                values[(i * dim) + j] = Number(value, $"{field}[{i}][{j}]");
                j++;
            }

            i++;
        }

        return new MatrixData(values, count, dim);
    }

    /// <summary>The labels of <paramref name="labels"/> as the client spelled them (integers as their decimal text), one per row.</summary>
    public static IReadOnlyList<string> Labels(JsonElement labels, int rows)
    {
        if (labels.ValueKind != JsonValueKind.Array)
        {
            throw HypersphereException.Bad($"labels must be an array of integers or strings, but was {InputItems.Describe(labels)}");
        }

        var text = new List<string>(labels.GetArrayLength());
        foreach (var label in labels.EnumerateArray())
        {
            var name = $"labels[{text.Count}]";
            text.Add(label.ValueKind switch
            {
                JsonValueKind.String => JsonStrings.Get(label, name),
                JsonValueKind.Number when label.TryGetInt64(out var id) => id.ToString(CultureInfo.InvariantCulture),
                JsonValueKind.Number => throw HypersphereException.Invalid($"{name} must be an integer or a string, but was {label.GetRawText()}"),
                _ => throw HypersphereException.Bad($"{name} must be an integer or a string, but was {InputItems.Describe(label)}"),
            });
        }

        CheckLabelCount(text.Count, rows);
        return text;
    }

    /// <summary>Refuses labels that are not one per embedding (<see cref="ErrorKind.InvalidInput"/>).</summary>
    public static void CheckLabelCount(int labels, int rows)
    {
        if (labels != rows)
        {
            throw HypersphereException.Invalid($"labels must have one label per embedding: {rows} embeddings, but {labels} labels");
        }
    }

    /// <summary>Refuses a matrix of more than <paramref name="maxValues"/> values before it is read (<see cref="ErrorKind.TooLarge"/>).</summary>
    public static void CheckSize(string field, long rows, long dim, long maxValues)
    {
        if ((Int128)rows * dim > maxValues)
        {
            throw new HypersphereException(ErrorKind.TooLarge, $"{field} has {rows}×{dim} = {(Int128)rows * dim} values, but at most {maxValues} are accepted (Hypersphere:MaxQualityValues)");
        }
    }

    private static int RowLength(JsonElement row, string name) => row.ValueKind == JsonValueKind.Array
        ? row.GetArrayLength()
        : throw HypersphereException.Bad($"{name} must be an array of numbers, but was {InputItems.Describe(row)}");

    private static double Number(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw HypersphereException.Bad($"{name} must be a number, but was {InputItems.Describe(value)}");
        }

        return value.TryGetDouble(out var number) && double.IsFinite(number)
            ? number
            : throw HypersphereException.Invalid($"{name} is {value.GetRawText()}, but every value must be a finite number");
    }
}
