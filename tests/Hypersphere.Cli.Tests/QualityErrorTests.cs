namespace Hypersphere.Cli.Tests;

/// <summary>Bad input: a non-zero exit and one stderr line that says what was wrong and what was expected.</summary>
public class QualityErrorTests
{
    [Theory]
    [InlineData("unit", "positives-rows", "rows")]
    [InlineData("nonunit", null, "unit norm")]
    [InlineData("nan", null, "finite")]
    [InlineData("ragged", null, "same length")]
    [InlineData("one-row", null, "at least 2 rows")]
    [InlineData("text", null, "is not a number")]
    [InlineData("zero-normalize", null, "all zeros")]
    public void BadEmbeddingsExitNonZeroWithOneExplainingLine(string embeddings, string? positives, string expected)
    {
        using var folder = new TempFolder();
        List<string> args = ["quality", "--embeddings", Write(folder, embeddings)];
        if (positives is not null)
        {
            args.AddRange(["--positives", Write(folder, positives)]);
        }

        if (embeddings == "zero-normalize")
        {
            args.Add("--normalize");
        }

        AssertFailsWith(expected, [.. args]);
    }

    [Theory]
    [InlineData("--alpha", "0", "alpha must be a finite number > 0, but was 0")]
    [InlineData("--t", "-1", "t must be a finite number > 0, but was -1")]
    public void NonPositiveParametersAreRefused(string option, string value, string expected)
    {
        using var folder = new TempFolder();
        var x = Write(folder, "unit");
        AssertFailsWith(expected, "quality", "--embeddings", x, "--positives", x, option, value);
    }

    [Fact]
    public void LabelsOfTheWrongCountAreRefused()
    {
        using var folder = new TempFolder();
        var labels = folder.File("labels.txt");
        File.WriteAllLines(labels, ["a", "b", "c"]);
        AssertFailsWith("one entry per embedding (4), but had 3", "quality", "--embeddings", Write(folder, "unit"), "--labels", labels);
    }

    [Fact]
    public void MissingFileAndUnknownFormatAreNamed()
    {
        using var folder = new TempFolder();
        AssertFailsWith("file not found", "quality", "--embeddings", folder.File("nope.npy"));
        var json = folder.File("x.json");
        File.WriteAllText(json, "[]");
        AssertFailsWith("expected .npy", "quality", "--embeddings", json);
    }

    [Fact]
    public void TruncatedNpyIsReportedAsTruncated()
    {
        using var folder = new TempFolder();
        var path = folder.File("x.npy");
        Hypersphere.Core.IO.NpyFile.Write(path, new float[] { 1, 0, 0, 1, 1, 0 }, 3, 2);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^5]);
        AssertFailsWith("truncated", "quality", "--embeddings", path);
    }

    private static void AssertFailsWith(string expected, params string[] args)
    {
        var (code, stdout, stderr) = CliProcess.Run(args);
        Assert.NotEqual(0, code);
        Assert.Equal(string.Empty, stdout);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one stderr line, got: {stderr}");
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
    }

    private static string Write(TempFolder folder, string kind)
    {
        double[][] rows = kind switch
        {
            "unit" => [[1, 0], [0, 1], [-1, 0], [0, -1]],
            "positives-rows" => [[1, 0], [0, 1]],
            "nonunit" => [[1, 0], [0, 2]],
            "nan" => [[1, 0], [double.NaN, 1]],
            "one-row" => [[1, 0]],
            "zero-normalize" => [[1, 0], [0, 0]],
            _ => [],
        };
        var path = folder.File(kind + ".csv");
        if (kind == "ragged")
        {
            File.WriteAllLines(path, ["1,0", "0,1,0"]);
        }
        else if (kind == "text")
        {
            File.WriteAllLines(path, ["1,0", "0,one"]);
        }
        else
        {
            QualityCommandTests.WriteCsv(folder, kind + ".csv", rows);
        }

        return path;
    }
}
