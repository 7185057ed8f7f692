using System.Globalization;
using Hypersphere.Core.Errors;

namespace Hypersphere.Core.IO;

/// <summary>Chooses the reader for an embeddings or labels file by its extension.</summary>
public static class EmbeddingFiles
{
    /// <summary>Reads <c>.npy</c> (float32/float64, 2-D) or CSV (<c>.csv</c>, <c>.tsv</c>, <c>.txt</c>).</summary>
    public static MatrixData ReadMatrix(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".npy" => NpyFile.ReadMatrix(path),
        ".csv" or ".tsv" or ".txt" => CsvMatrix.Read(path),
        var other => throw HypersphereException.Bad($"{Path.GetFileName(path)}: cannot read '{other}' files; expected .npy (float32/float64, 2-D) or .csv"),
    };

    /// <summary>Reads labels: a <c>.npy</c> of integers, or a text file with one label a line.</summary>
    public static IReadOnlyList<string> ReadLabels(string path)
    {
        if (Path.GetExtension(path).Equals(".npy", StringComparison.OrdinalIgnoreCase))
        {
            return Array.ConvertAll(NpyFile.ReadIntegers(path), v => v.ToString(CultureInfo.InvariantCulture));
        }

        if (!File.Exists(path))
        {
            throw new HypersphereException(ErrorKind.NotFound, $"file not found: {path}");
        }

        return ParseLabels(File.ReadAllText(path), Path.GetFileName(path));
    }

    /// <summary>Labels from text with one label a line (<paramref name="name"/> in messages): lines are trimmed, trailing empty lines dropped, an empty line before them refused.</summary>
    public static IReadOnlyList<string> ParseLabels(string text, string name)
    {
        ArgumentNullException.ThrowIfNull(text);
        // Lines end at \n, \r\n or \r, as File.ReadAllLines splits them.
        var lines = new List<string>();
        using (var reader = new StringReader(text))
        {
            while (reader.ReadLine() is { } line)
            {
                lines.Add(line.Trim());
            }
        }

        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        var blank = lines.FindIndex(l => l.Length == 0);
        if (blank >= 0)
        {
            throw HypersphereException.Invalid($"{name} line {blank + 1} is empty, but every line must hold one label");
        }

        return lines;
    }
}
