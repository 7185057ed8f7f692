using Hypersphere.Core.Errors;
using Hypersphere.Core.IO;

namespace Hypersphere.Core.Tests;

/// <summary>CSV matrices and the extension-based choice of reader for embeddings and labels.</summary>
public class CsvAndEmbeddingFilesTests
{
    [Fact]
    public void CsvSkipsHeaderCommentsAndBlankLines()
    {
        string[] lines = ["# exported by a tool", "x0,x1,x2", "", "1, 2.5, -3e-2", "  # halfway", "4,+5,6E1", ""];
        var m = CsvMatrix.Parse(lines, "e.csv");
        Assert.Equal((2, 3), (m.Rows, m.Cols));
        Assert.Equal([1.0, 2.5, -0.03, 4, 5, 60], m.Values);
    }

    [Fact]
    public void CsvAcceptsTabsAndSemicolons()
    {
        var m = CsvMatrix.Parse(["0.5\t0.25", "1;2"], "e.tsv");
        Assert.Equal([0.5, 0.25, 1, 2], m.Values);
    }

    [Fact]
    public void RaggedCsvLineIsRefusedWithItsLineNumber()
    {
        string[] lines = ["a,b,c", "1,2,3", "# note", "", "4,5"];
        var error = Assert.Throws<HypersphereException>(() => CsvMatrix.Parse(lines, "e.csv"));
        Assert.Equal(ErrorKind.InvalidInput, error.Kind);
        Assert.Contains("e.csv line 5 has 2 values", error.Message, StringComparison.Ordinal);
        Assert.Contains("earlier rows have 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NonNumberFieldIsRefusedWithLineColumnAndText()
    {
        string[] lines = ["1,2", "3,abc"];
        var error = Assert.Throws<HypersphereException>(() => CsvMatrix.Parse(lines, "e.csv"));
        Assert.Equal(ErrorKind.BadRequest, error.Kind);
        Assert.Contains("line 2, column 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("'abc' is not a number", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CsvWithoutNumbersIsRefused()
    {
        var error = Assert.Throws<HypersphereException>(() => CsvMatrix.Parse(["# only", "a,b"], "e.csv"));
        Assert.Contains("no rows of numbers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadMatrixChoosesTheReaderByExtension()
    {
        using var folder = new TempFolder();
        File.WriteAllLines(folder.File("e.csv"), ["0.6,0.8", "1,0"]);
        File.WriteAllLines(folder.File("e.TSV"), ["0.6\t0.8", "1\t0"]);
        NpyFile.Write(folder.File("e.NPY"), [0.6, 0.8, 1, 0], 2, 2);
        foreach (var name in new[] { "e.csv", "e.TSV", "e.NPY" })
        {
            var m = EmbeddingFiles.ReadMatrix(folder.File(name));
            Assert.Equal([0.6, 0.8, 1, 0], m.Values);
        }

        var error = Assert.Throws<HypersphereException>(() => EmbeddingFiles.ReadMatrix(folder.File("e.parquet")));
        Assert.Equal(ErrorKind.BadRequest, error.Kind);
        Assert.Contains("'.parquet'", error.Message, StringComparison.Ordinal);
        Assert.Contains(".npy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingCsvIsNotFound()
    {
        var error = Assert.Throws<HypersphereException>(() => EmbeddingFiles.ReadMatrix("/nonexistent/e.csv"));
        Assert.Equal(ErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public void TextLabelsAreOnePerLineWithTrailingBlankLinesIgnored()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("labels.txt"), "cat\n dog \ncat\n\n\n");
        Assert.Equal(["cat", "dog", "cat"], EmbeddingFiles.ReadLabels(folder.File("labels.txt")));
    }

    [Fact]
    public void BlankLineInsideTextLabelsIsRefusedWithItsLineNumber()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("labels.txt"), "cat\ndog\n\ncat\n");
        var error = Assert.Throws<HypersphereException>(() => EmbeddingFiles.ReadLabels(folder.File("labels.txt")));
        Assert.Equal(ErrorKind.InvalidInput, error.Kind);
        Assert.Contains("line 3 is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NpyLabelsAreReadAsIntegerStrings()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("l.npy"), NpyBytes.File("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", NpyBytes.Int64([-1, 20, 3])));
        Assert.Equal(["-1", "20", "3"], EmbeddingFiles.ReadLabels(folder.File("l.npy")));
    }

    [Fact]
    public void LabelTextSplitsLinesAsFileReadAllLinesDoes()
    {
        // \n, \r\n and \r end lines; other separators (U+2028, form feed) stay inside a label, as File.ReadAllLines keeps them.
        const string text = "a\r\nb\rc\nd\u2028e\ff\n\r\n";
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("labels.txt"), text);

        Assert.Equal(["a", "b", "c", "d\u2028e\ff"], EmbeddingFiles.ParseLabels(text, "labels"));
        Assert.Equal(File.ReadAllLines(folder.File("labels.txt")).Select(l => l.Trim()).Where(l => l.Length > 0), EmbeddingFiles.ParseLabels(text, "labels"));
        Assert.Equal(EmbeddingFiles.ParseLabels(text, "labels"), EmbeddingFiles.ReadLabels(folder.File("labels.txt")));
        Assert.Contains("labels line 2 is empty", Assert.Throws<HypersphereException>(() => EmbeddingFiles.ParseLabels("a\n\nb", "labels")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IntegersFromBytesAreTheFilesIntegers()
    {
        using var folder = new TempFolder();
        var bytes = NpyBytes.File("{'descr': '>i4', 'fortran_order': False, 'shape': (3, 1), }", NpyBytes.Int32BigEndian([-7, 0, 1 << 30]));
        File.WriteAllBytes(folder.File("l.npy"), bytes);

        Assert.Equal([-7L, 0, 1 << 30], NpyFile.ReadIntegers(bytes, "labels"));
        Assert.Equal(NpyFile.ReadIntegers(folder.File("l.npy")), NpyFile.ReadIntegers(bytes, "labels"));
        Assert.Contains("labels has dtype", Assert.Throws<HypersphereException>(() => NpyFile.ReadIntegers(NpyBytes.File("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new byte[4]), "labels")).Message, StringComparison.Ordinal);
    }
}
