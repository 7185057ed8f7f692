using System.Text;
using Hypersphere.Core.Errors;
using Hypersphere.Core.IO;

namespace Hypersphere.Core.Tests;

/// <summary>.npy writing and reading: round trips, the file layout, hand-built headers and broken files.</summary>
public class NpyFileTests
{
    [Fact]
    public void Float32RoundTripPreservesEveryValue()
    {
        using var folder = new TempFolder();
        var values = Array.ConvertAll(TestMatrices.UnitRows(130, 17, seed: 1), v => (float)v);
        NpyFile.Write(folder.File("x.npy"), values, 130, 17);
        var read = NpyFile.ReadMatrix(folder.File("x.npy"));
        Assert.Equal((130, 17), (read.Rows, read.Cols));
        Assert.Equal(Array.ConvertAll(values, v => (double)v), read.Values);
    }

    [Fact]
    public void Float64RoundTripPreservesEveryBitIncludingExtremes()
    {
        using var folder = new TempFolder();
        double[] values = [-0.0, double.Epsilon, 1e-300, double.MaxValue, -1.0 / 3, double.NaN, double.NegativeInfinity, Math.PI];
        NpyFile.Write(folder.File("x.npy"), values, 4, 2);
        var read = NpyFile.ReadMatrix(folder.File("x.npy"));
        Assert.Equal((4, 2), (read.Rows, read.Cols));
        Assert.Equal(Array.ConvertAll(values, BitConverter.DoubleToInt64Bits), Array.ConvertAll(read.Values, BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void WrittenFileFollowsTheVersionOneLayout()
    {
        using var folder = new TempFolder();
        NpyFile.Write(folder.File("x.npy"), [1.0, 2, 3, 4, 5, 6], 3, 2);
        var bytes = File.ReadAllBytes(folder.File("x.npy"));
        Assert.Equal([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0], bytes[..8]);
        var headerLength = bytes[8] | (bytes[9] << 8);
        var dataOffset = 10 + headerLength;
        Assert.Equal(0, dataOffset % 64);
        Assert.Equal(dataOffset + (6 * 8), bytes.Length);
        var header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.EndsWith("\n", header, StringComparison.Ordinal);
        Assert.Contains("'descr': '<f8'", header, StringComparison.Ordinal);
        Assert.Contains("'fortran_order': False", header, StringComparison.Ordinal);
        Assert.Contains("'shape': (3, 2)", header, StringComparison.Ordinal);
        Assert.Equal(3.0, BitConverter.ToDouble(bytes, dataOffset + 16));
    }

    [Fact]
    public void WriteReplacesAnExistingFileAndLeavesNoTemporaryFile()
    {
        using var folder = new TempFolder();
        NpyFile.Write(folder.File("x.npy"), [1f, 2f, 3f, 4f], 2, 2);
        NpyFile.Write(folder.File("x.npy"), [5f, 6f], 1, 2);
        Assert.Equal([5.0, 6.0], NpyFile.ReadMatrix(folder.File("x.npy")).Values);
        Assert.Equal(["x.npy"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void WriteRefusesAShapeThatDoesNotMatchTheValues()
    {
        // Write checks rows·cols against the values: a file whose header disagrees with its payload is never written.
        using var folder = new TempFolder();
        Assert.ThrowsAny<ArgumentException>(() => NpyFile.Write(folder.File("x.npy"), [1.0, 2, 3, 4], 3, 3));
    }

    [Fact]
    public void ReadsFortranOrderBigEndianFloat32()
    {
        // [[1, 2, 3], [4, 5, 6]] stored column by column.
        var file = NpyBytes.File("{'descr': '>f4', 'fortran_order': True, 'shape': (2, 3), }", NpyBytes.Float32([1f, 4, 2, 5, 3, 6], bigEndian: true));
        var read = NpyFile.ReadMatrix(file, "f.npy");
        Assert.Equal((2, 3), (read.Rows, read.Cols));
        Assert.Equal([1.0, 2, 3, 4, 5, 6], read.Values);
    }

    [Fact]
    public void ReadsVersionTwoHeaders()
    {
        var file = NpyBytes.File("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", NpyBytes.Float64([0.25, -8]), major: 2);
        Assert.Equal([0.25, -8.0], NpyFile.ReadMatrix(file, "v2.npy").Values);
    }

    [Theory]
    [InlineData("'<i8'", "(4,)")]
    [InlineData("'<i8'", "(4, 1)")]
    public void ReadsInt64LabelsAsVectorOrColumn(string descr, string shape)
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("l.npy"), NpyBytes.File($"{{'descr': {descr}, 'fortran_order': False, 'shape': {shape}, }}", NpyBytes.Int64([-4, 0, 7, 1L << 40])));
        Assert.Equal([-4L, 0, 7, 1L << 40], NpyFile.ReadIntegers(folder.File("l.npy")));
    }

    [Fact]
    public void ReadsBigEndianInt32AndUnsignedByteLabels()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("a.npy"), NpyBytes.File("{'descr': '>i4', 'fortran_order': False, 'shape': (3,), }", NpyBytes.Int32BigEndian([-70000, 3, 65536])));
        File.WriteAllBytes(folder.File("b.npy"), NpyBytes.File("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", [255, 0, 9]));
        Assert.Equal([-70000L, 3, 65536], NpyFile.ReadIntegers(folder.File("a.npy")));
        Assert.Equal([255L, 0, 9], NpyFile.ReadIntegers(folder.File("b.npy")));
    }

    [Fact]
    public void Int64LabelsBeyondTwoToThe53KeepTheirExactValues()
    {
        // Labels are read as integers, not through double, in which 2^53 + 1 would read as 2^53 and two
        // distinct classes would merge into one.
        using var folder = new TempFolder();
        long[] labels = [(1L << 53) + 1, 1L << 53, long.MaxValue];
        File.WriteAllBytes(folder.File("l.npy"), NpyBytes.File("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", NpyBytes.Int64(labels)));
        Assert.Equal(labels, NpyFile.ReadIntegers(folder.File("l.npy")));
    }

    [Fact]
    public void TruncatedPayloadIsCorruptAndSaysTruncated()
    {
        var payload = NpyBytes.Float64([1, 2, 3, 4, 5]);
        var file = NpyBytes.File("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", payload);
        var error = Assert.Throws<HypersphereException>(() => NpyFile.ReadMatrix(file, "t.npy"));
        Assert.Equal(ErrorKind.Corrupt, error.Kind);
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        Assert.Contains("48", error.Message, StringComparison.Ordinal);
        Assert.Contains("40", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedHeaderIsCorruptAndSaysTruncated()
    {
        var file = NpyBytes.File("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", []);
        var error = Assert.Throws<HypersphereException>(() => NpyFile.ReadMatrix(file[..40], "t.npy"));
        Assert.Equal(ErrorKind.Corrupt, error.Kind);
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TrailingBytesAreCorrupt()
    {
        var file = NpyBytes.File("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }", NpyBytes.Float32([1f, 2f, 3f]));
        var error = Assert.Throws<HypersphereException>(() => NpyFile.ReadMatrix(file, "t.npy"));
        Assert.Equal(ErrorKind.Corrupt, error.Kind);
        Assert.DoesNotContain("truncated", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PK\u0003\u0004 this is a zip file")]
    [InlineData("\u0093NUMP")]
    public void FileWithoutTheMagicIsRefused(string content)
    {
        var error = Assert.Throws<HypersphereException>(() => NpyFile.ReadMatrix(Encoding.Latin1.GetBytes(content), "m.npy"));
        Assert.Equal(ErrorKind.BadRequest, error.Kind);
        Assert.Contains("m.npy is not a .npy file", error.Message, StringComparison.Ordinal);
        Assert.Contains("magic", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownFormatVersionIsRefused()
    {
        var file = NpyBytes.File("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }", NpyBytes.Float64([1]));
        file[6] = 4;
        var error = Assert.Throws<HypersphereException>(() => NpyFile.ReadMatrix(file, "v.npy"));
        Assert.Contains("version 4.0", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("'<f8'", "(2, 2, 2)", 8, "shape (2, 2, 2)", "2-D")]
    [InlineData("'<f8'", "(4,)", 4, "shape (4,)", "2-D")]
    [InlineData("'<i8'", "(2, 2)", 4, "dtype '<i8'", "float32")]
    [InlineData("'<f2'", "(2, 2)", 4, "dtype '<f2'", "float64")]
    public void EmbeddingsMustBeTwoDimensionalFloat32OrFloat64(string descr, string shape, int count, string fact, string expectation)
    {
        var size = descr.Contains('2', StringComparison.Ordinal) ? 2 : 8;
        var file = NpyBytes.File($"{{'descr': {descr}, 'fortran_order': False, 'shape': {shape}, }}", new byte[count * size]);
        var error = Assert.Throws<HypersphereException>(() => NpyFile.ReadMatrix(file, "e.npy"));
        Assert.Equal(ErrorKind.BadRequest, error.Kind);
        Assert.Contains(fact, error.Message, StringComparison.Ordinal);
        Assert.Contains(expectation, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("'<f8'", "(3,)", "dtype '<f8'", "integers")]
    [InlineData("'<i8'", "(3, 2)", "shape (3, 2)", "1-D")]
    public void LabelsMustBeOneDimensionalIntegers(string descr, string shape, string fact, string expectation)
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("l.npy"), NpyBytes.File($"{{'descr': {descr}, 'fortran_order': False, 'shape': {shape}, }}", new byte[48]));
        var error = Assert.Throws<HypersphereException>(() => NpyFile.ReadIntegers(folder.File("l.npy")));
        Assert.Equal(ErrorKind.BadRequest, error.Kind);
        Assert.Contains(fact, error.Message, StringComparison.Ordinal);
        Assert.Contains(expectation, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFileIsNotFound()
    {
        var error = Assert.Throws<HypersphereException>(() => NpyFile.ReadMatrix("/nonexistent/embeddings.npy"));
        Assert.Equal(ErrorKind.NotFound, error.Kind);
        Assert.Contains("/nonexistent/embeddings.npy", error.Message, StringComparison.Ordinal);
    }
}
