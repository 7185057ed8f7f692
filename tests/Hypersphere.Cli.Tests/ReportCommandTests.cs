using System.Globalization;
using System.Text.RegularExpressions;
using Hypersphere.Core.IO;

namespace Hypersphere.Cli.Tests;

/// <summary>
/// <c>hypersphere report --embeddings</c> through the real executable: report.json is the bytes <c>quality</c>
/// prints for the same files, bad input fails exactly as <c>quality</c> fails, and the folder is untouched then.
/// </summary>
public sealed partial class ReportCommandTests
{
    public static TheoryData<string> Inputs => ["example", "square", "npy-labels", "normalize"];

    [Theory]
    [MemberData(nameof(Inputs))]
    public void ReportJsonIsByteForByteWhatQualityPrints(string input)
    {
        using var folder = new TempFolder();
        var args = Arguments(folder, input);
        var quality = CliProcess.Run(["quality", .. args]);
        Assert.True(quality.ExitCode == 0, quality.Stderr);

        var outDir = folder.File("out", "nested");
        var report = CliProcess.Run(["report", .. args, "--out", outDir]);

        Assert.True(report.ExitCode == 0, report.Stderr);
        Assert.Equal(quality.Stdout, File.ReadAllText(Path.Combine(outDir, "report.json")));
        var lines = report.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var written = lines[..^1];
        Assert.Contains(Path.Combine(outDir, "report.json"), written);
        Assert.Contains(Path.Combine(outDir, "report.html"), written);
        Assert.All(written, p => Assert.True(File.Exists(p), $"printed {p}, which does not exist"));
        Assert.Equal(written.Order(StringComparer.Ordinal), Directory.GetFiles(outDir).Order(StringComparer.Ordinal));

        // The one summary line carries the report's own numbers (N, d, verdict).
        using var json = System.Text.Json.JsonDocument.Parse(quality.Stdout);
        var root = json.RootElement;
        Assert.StartsWith(string.Create(CultureInfo.InvariantCulture, $"N = {root.GetProperty("n").GetInt32()}, d = {root.GetProperty("dim").GetInt32()}"), lines[^1], StringComparison.Ordinal);
        Assert.EndsWith(root.GetProperty("verdict").GetProperty("status").GetString()!, lines[^1], StringComparison.Ordinal);
        AssertSelfContained(File.ReadAllText(Path.Combine(outDir, "report.html")));
    }

    [Fact]
    public void QualityPrintsTheSameBytesOnEveryRun()
    {
        // The parallel uniformity sum used to merge per-thread partial sums in the order threads finished, so two
        // processes could differ in the last digits (a quarter of runs did on 2 cores); byte-equal report.json needs it fixed.
        using var folder = new TempFolder();
        var args = Arguments(folder, "example");
        var first = CliProcess.Run(["quality", .. args]).Stdout;
        for (var run = 0; run < 7; run++)
        {
            Assert.Equal(first, CliProcess.Run(["quality", .. args]).Stdout);
        }
    }

    [Fact]
    public void AnExistingFolderKeepsItsOtherFilesAndGetsTheNewReport()
    {
        using var folder = new TempFolder();
        var outDir = folder.Folder("out");
        File.WriteAllText(Path.Combine(outDir, "notes.txt"), "mine");
        File.WriteAllText(Path.Combine(outDir, "report.json"), "old");

        var (code, _, stderr) = CliProcess.Run(["report", .. Arguments(folder, "square"), "--out", outDir]);

        Assert.True(code == 0, stderr);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(outDir, "notes.txt")));
        Assert.StartsWith("{", File.ReadAllText(Path.Combine(outDir, "report.json")), StringComparison.Ordinal);
        Assert.Empty(Directory.GetDirectories(outDir)); // no staging folder left behind
        Assert.DoesNotContain(Directory.GetFiles(outDir), f => Path.GetFileName(f).StartsWith('.'));
    }

    [Fact]
    public void AReportReplacesTheFilesOfAnEarlierReportInTheSameFolder()
    {
        using var folder = new TempFolder();
        var outDir = folder.Folder("out");
        File.WriteAllText(Path.Combine(outDir, "notes.txt"), "mine");
        Assert.Equal(0, CliProcess.Run(["report", .. Arguments(folder, "example"), "--out", outDir]).ExitCode);
        Assert.True(File.Exists(Path.Combine(outDir, "positive-distances.svg")));

        var (code, stdout, stderr) = CliProcess.Run("report", "--runs", Repository.PathOf("models", "fmnist-contrastive", "1"), "--out", outDir);

        Assert.True(code == 0, stderr);
        var written = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[..^1];
        Assert.Equal([.. written.Append(Path.Combine(outDir, "notes.txt")).Order(StringComparer.Ordinal)], Directory.GetFiles(outDir).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(Path.Combine(outDir, "report.json"), written); // the audit's JSON would contradict the runs page
    }

    public static TheoryData<string> BadInputs => ["one-row", "non-unit", "dim-mismatch", "rows-mismatch", "labels-count", "alpha", "missing-file"];

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadInputFailsAsQualityDoesAndLeavesAMissingFolderMissing(string bad)
    {
        using var folder = new TempFolder();
        var args = BadArguments(folder, bad);
        var quality = CliProcess.Run(["quality", .. args]);
        Assert.NotEqual(0, quality.ExitCode);

        var outDir = folder.File("out", "nested");
        var report = CliProcess.Run(["report", .. args, "--out", outDir]);

        Assert.Equal(quality.ExitCode, report.ExitCode);
        Assert.Equal(quality.Stderr, report.Stderr);
        Assert.Equal(string.Empty, report.Stdout);
        Assert.False(Directory.Exists(folder.File("out")), "the missing output folder (and its missing parent) must stay missing");
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadInputLeavesAnExistingFolderAsItWas(string bad)
    {
        using var folder = new TempFolder();
        var outDir = folder.Folder("out");
        File.WriteAllText(Path.Combine(outDir, "report.json"), "old report");
        File.WriteAllText(Path.Combine(outDir, "report.html"), "<p>old</p>");
        var before = Snapshot(outDir);

        var (code, stdout, _) = CliProcess.Run(["report", .. BadArguments(folder, bad), "--out", outDir]);

        Assert.NotEqual(0, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal(before, Snapshot(outDir));
    }

    [Fact]
    public void EmbeddingsAndRunsAreExclusiveAndOneIsNeeded()
    {
        using var folder = new TempFolder();
        var x = Arguments(folder, "square")[1];
        var outDir = folder.File("out");

        var both = CliProcess.Run("report", "--embeddings", x, "--runs", Repository.PathOf("models", "fmnist-contrastive", "1"), "--out", outDir);
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("--runs and --embeddings are exclusive", both.Stderr, StringComparison.Ordinal);
        Assert.Single(both.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var neither = CliProcess.Run("report", "--out", outDir);
        Assert.Equal(2, neither.ExitCode);
        Assert.Contains("needs --embeddings X", neither.Stderr, StringComparison.Ordinal);

        var positivesWithRuns = CliProcess.Run("report", "--runs", Repository.PathOf("models", "fmnist-contrastive", "1"), "--positives", x, "--out", outDir);
        Assert.Equal(2, positivesWithRuns.ExitCode);
        Assert.Contains("--positives applies to --embeddings", positivesWithRuns.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void AnOutputPathThatIsAFileIsRefusedBeforeAnythingIsRead()
    {
        using var folder = new TempFolder();
        var file = folder.File("taken");
        File.WriteAllText(file, "x");
        var (code, _, stderr) = CliProcess.Run(["report", .. Arguments(folder, "square"), "--out", file]);
        Assert.Equal(3, code);
        Assert.Contains("is a file", stderr, StringComparison.Ordinal);
        Assert.Equal("x", File.ReadAllText(file));
    }

    /// <summary>No script, no external reference: namespace declarations of inline SVG name a namespace and fetch nothing.</summary>
    internal static void AssertSelfContained(string html)
    {
        Assert.StartsWith("<!DOCTYPE html>", html.TrimStart(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<iframe", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        var withoutNamespaces = Namespace().Replace(html, string.Empty);
        Assert.DoesNotContain("http://", withoutNamespaces, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", withoutNamespaces, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(@"(src|href)\s*=\s*[""']?//", withoutNamespaces);
    }

    [GeneratedRegex(@"xmlns(:\w+)?\s*=\s*""http://www\.w3\.org/[^""]*""")]
    private static partial Regex Namespace();

    private static Dictionary<string, string> Snapshot(string directory) =>
        Directory.GetFileSystemEntries(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(p => Path.GetRelativePath(directory, p), p => File.Exists(p) ? Convert.ToHexString(File.ReadAllBytes(p)) : "<dir>");

    private static string[] Arguments(TempFolder folder, string input)
    {
        switch (input)
        {
            case "example":
                return ["--embeddings", Repository.PathOf("docs", "examples", "embeddings.npy"), "--positives", Repository.PathOf("docs", "examples", "positives.npy"), "--labels", Repository.PathOf("docs", "examples", "labels.txt")];
            case "square":
                var labels = folder.File("labels.txt");
                File.WriteAllLines(labels, ["a", "b", "a", "b"]);
                return ["--embeddings", QualityCommandTests.WriteCsv(folder, "x.csv", [[1, 0], [0, 1], [-1, 0], [0, -1]]), "--positives", QualityCommandTests.WriteCsv(folder, "y.csv", [[0, 1], [-1, 0], [0, -1], [1, 0]]), "--labels", labels, "--alpha", "1", "--t", "3"];
            case "npy-labels":
            {
                const int n = 300, d = 8;
                var x = Core.Embeddings.SpherePoints.Uniform(n, d, seed: 11);
                var path = folder.File("x.npy");
                NpyFile.Write(path, x, n, d);
                var labelPath = folder.File("labels.npy");
                File.WriteAllBytes(labelPath, NpyBytes.File($"{{'descr': '<i8', 'fortran_order': False, 'shape': ({n},), }}", NpyBytes.Int64(Enumerable.Range(0, n).Select(i => (long)(i % 3)))));
                return ["--embeddings", path, "--labels", labelPath];
            }

            case "normalize":
            {
                var rows = Enumerable.Range(0, 40).Select(i => new double[] { Math.Cos(i) * (i + 1), Math.Sin(i) * (i + 1), 0.5 * i }).ToArray();
                return ["--embeddings", QualityCommandTests.WriteCsv(folder, "x.csv", rows), "--positives", QualityCommandTests.WriteCsv(folder, "y.csv", [.. rows.Reverse()]), "--normalize"];
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(input), input, null);
        }
    }

    private static string[] BadArguments(TempFolder folder, string bad)
    {
        string Csv(string name, double[][] rows) => QualityCommandTests.WriteCsv(folder, name, rows);
        double[][] square = [[1, 0], [0, 1], [-1, 0], [0, -1]];
        switch (bad)
        {
            case "one-row":
                return ["--embeddings", Csv("x.csv", [[1, 0]])];
            case "non-unit":
                return ["--embeddings", Csv("x.csv", [[1, 0], [0, 2]])];
            case "dim-mismatch":
                return ["--embeddings", Csv("x.csv", square), "--positives", Csv("y.csv", [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]])];
            case "rows-mismatch":
                return ["--embeddings", Csv("x.csv", square), "--positives", Csv("y.csv", [[1, 0], [0, 1]])];
            case "labels-count":
                var labels = folder.File("labels.txt");
                File.WriteAllLines(labels, ["a", "b", "c"]);
                return ["--embeddings", Csv("x.csv", square), "--labels", labels];
            case "alpha":
                return ["--embeddings", Csv("x.csv", square), "--positives", Csv("y.csv", square), "--alpha", "0"];
            case "missing-file":
                return ["--embeddings", folder.File("nope.npy")];
            default:
                throw new ArgumentOutOfRangeException(nameof(bad), bad, null);
        }
    }
}
