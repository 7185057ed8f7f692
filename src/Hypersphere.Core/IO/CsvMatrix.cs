using System.Globalization;
using Hypersphere.Core.Errors;

namespace Hypersphere.Core.IO;

/// <summary>
/// Reads a matrix from CSV: one row a line, values separated by commas (or tabs / semicolons);
/// blank lines and lines starting with '#' are skipped; a first line with no numbers is a header.
/// </summary>
public static class CsvMatrix
{
    private static readonly char[] Separators = [',', '\t', ';'];

    /// <summary>Reads a CSV file.</summary>
    public static MatrixData Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new HypersphereException(ErrorKind.NotFound, $"file not found: {path}");
        }

        return Parse(File.ReadLines(path), Path.GetFileName(path));
    }

    /// <summary>Parses CSV lines; <paramref name="name"/> is used in messages.</summary>
    public static MatrixData Parse(IEnumerable<string> lines, string name)
    {
        var values = new List<double>();
        int cols = -1, rows = 0, lineNumber = 0;
        foreach (var raw in lines)
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var fields = line.Split(Separators, StringSplitOptions.TrimEntries);
            if (cols < 0 && rows == 0 && fields.All(f => !double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            {
                continue; // header
            }

            if (cols >= 0 && fields.Length != cols)
            {
                throw HypersphereException.Invalid($"{name} line {lineNumber} has {fields.Length} values, but earlier rows have {cols}: every row must have the same length");
            }

            cols = fields.Length;
            for (var j = 0; j < fields.Length; j++)
            {
                if (!double.TryParse(fields[j], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                {
                    throw HypersphereException.Bad($"{name} line {lineNumber}, column {j + 1}: '{fields[j]}' is not a number");
                }

                values.Add(v);
            }

            rows++;
        }

        if (rows == 0)
        {
            throw HypersphereException.Invalid($"{name} has no rows of numbers");
        }

        return new MatrixData([.. values], rows, cols);
    }
}
