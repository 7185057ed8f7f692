using System.Globalization;
using System.Text.Json;
using Hypersphere.Core.IO;

namespace Hypersphere.Cli.Tests;

public class QualityCommandTests
{
    // Four unit vectors in the plane at 0°, 90°, 180°, 270° (a square: the regular arrangement for
    // N = 4 on S¹), and positives rotated by 90°: every |xᵢ − yᵢ|² is 2.
    private static readonly double[][] Square = [[1, 0], [0, 1], [-1, 0], [0, -1]];
    private static readonly double[][] Rotated = [[0, 1], [-1, 0], [0, -1], [1, 0]];

    [Fact]
    public void PrintsEveryFieldWithHandComputedValuesForASquare()
    {
        using var folder = new TempFolder();
        var x = WriteCsv(folder, "x.csv", Square);
        var y = WriteCsv(folder, "y.csv", Rotated);
        var labels = folder.File("labels.txt");
        File.WriteAllLines(labels, ["a", "b", "a", "b"]);

        var report = Quality("--embeddings", x, "--positives", y, "--labels", labels);

        // Squared distances: 4 neighbours at 2, 2 opposite pairs at 4 → mean of exp(−2·d²).
        var uniformity = Math.Log(((4 * Math.Exp(-4)) + (2 * Math.Exp(-8))) / 6);
        Assert.Equal(4, report.GetProperty("n").GetInt32());
        Assert.Equal(2, report.GetProperty("dim").GetInt32());
        Assert.Equal(2.0, report.GetProperty("alignment").GetDouble(), 12);
        Assert.Equal(uniformity, report.GetProperty("uniformity").GetDouble(), 12);
        Assert.Equal(uniformity, report.GetProperty("uniformity_positives").GetDouble(), 12);
        Assert.Equal(-2 * 2 * 4 / 3.0, report.GetProperty("reference").GetProperty("finite_n_bound").GetDouble(), 12);
        Assert.Equal(-1.575027, report.GetProperty("reference").GetProperty("uniform_optimum").GetDouble(), 6);
        Assert.Equal(-1 / 3.0, report.GetProperty("mean_cosine").GetDouble(), 12);
        Assert.Equal(2.0, report.GetProperty("rank_me").GetDouble(), 4);
        Assert.Equal(JsonValueKind.Object, report.GetProperty("knn_accuracy").ValueKind);
        Assert.Equal(JsonValueKind.Object, report.GetProperty("verdict").ValueKind);
        Assert.Equal(JsonValueKind.Array, report.GetProperty("warnings").ValueKind);
        Assert.True(report.TryGetProperty("std_sqrt_d", out _));
    }

    [Fact]
    public void MissingPositivesAndLabelsAreNullNotAbsent()
    {
        using var folder = new TempFolder();
        var report = Quality("--embeddings", WriteCsv(folder, "x.csv", Square));
        foreach (var field in new[] { "alignment", "uniformity_positives", "knn_accuracy" })
        {
            Assert.Equal(JsonValueKind.Null, report.GetProperty(field).ValueKind);
        }
    }

    [Fact]
    public void NormalizeMakesScaledRowsMeasureLikeUnitRows()
    {
        using var folder = new TempFolder();
        var scaled = Square.Select((r, i) => r.Select(v => v * (i + 2.5)).ToArray()).ToArray();
        var unit = Quality("--embeddings", WriteCsv(folder, "u.csv", Square));
        var normalised = Quality("--embeddings", WriteCsv(folder, "s.csv", scaled), "--normalize");
        Assert.Equal(unit.GetProperty("uniformity").GetDouble(), normalised.GetProperty("uniformity").GetDouble(), 12);
        Assert.Contains(normalised.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("normalised", StringComparison.Ordinal));
    }

    [Fact]
    public void NpyAndCsvOfTheSameRowsGiveTheSameReport()
    {
        using var folder = new TempFolder();
        var rows = Square.SelectMany(r => r).ToArray();
        var npy = folder.File("x.npy");
        NpyFile.Write(npy, rows, 4, 2);
        var fromNpy = Quality("--embeddings", npy);
        var fromCsv = Quality("--embeddings", WriteCsv(folder, "x.csv", Square));
        Assert.Equal(fromCsv.GetProperty("uniformity").GetDouble(), fromNpy.GetProperty("uniformity").GetDouble(), 14);
    }

    internal static string WriteCsv(TempFolder folder, string name, double[][] rows)
    {
        var path = folder.File(name);
        File.WriteAllLines(path, rows.Select(r => string.Join(",", r.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));
        return path;
    }

    private static JsonElement Quality(params string[] args)
    {
        var (code, stdout, stderr) = CliProcess.Run(["quality", .. args]);
        Assert.True(code == 0, $"exit {code}: {stderr}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }
}
