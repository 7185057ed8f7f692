using Hypersphere.Core.Errors;
using Hypersphere.Core.IO;

namespace Hypersphere.Core.Tests;

/// <summary>Every broken header of <see cref="MalformedNpy"/> is refused with its kind and a message naming the problem; nothing else escapes.</summary>
public class MalformedNpyTests
{
    public static TheoryData<string> Cases => [.. MalformedNpy.Cases.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatrixReaderRefusesWithTheProblemNamed(string name) =>
        MalformedNpy.AssertRefused(name, file => NpyFile.ReadMatrix(file, "x.npy"), "x.npy");

    [Theory]
    [MemberData(nameof(Cases))]
    public void LabelReaderRefusesWithTheSameKind(string name)
    {
        var (file, kind, _) = MalformedNpy.Cases[name];
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("labels.npy"), file);
        var error = Assert.Throws<HypersphereException>(() => NpyFile.ReadIntegers(folder.File("labels.npy")));
        Assert.True(kind == error.Kind || error.Message.Contains("dtype '<f8'", StringComparison.Ordinal), $"{name}: expected {kind}, got {error.Kind}: {error.Message}");
    }

    [Fact]
    public void ZeroRowsWithAHugeColumnCountIsTooLargeNotAnOverflow()
    {
        var file = NpyBytes.File("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 3000000000), }", []);
        var error = Assert.Throws<HypersphereException>(() => NpyFile.ReadMatrix(file, "x.npy"));
        Assert.Equal(ErrorKind.TooLarge, error.Kind);
        Assert.Contains("(0, 3000000000)", error.Message, StringComparison.Ordinal);
        Assert.Contains("at most 2147483647", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FortranOrderOfAnyRankIsReadInCOrder()
    {
        // a[i, j, k] = 100i + 10j + k for shape (2, 3, 4); Fortran order stores i fastest, then j, then k.
        var fortran = new List<double>();
        for (var k = 0; k < 4; k++)
        {
            for (var j = 0; j < 3; j++)
            {
                for (var i = 0; i < 2; i++)
                {
                    fortran.Add((100 * i) + (10 * j) + k);
                }
            }
        }

        var file = NpyBytes.File("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3, 4), }", NpyBytes.Float64(fortran));
        var values = NpyFile.ReadValues<double>(file, NpyHeader.Parse(file, "a.npy"), "a.npy");
        var expected = from i in Enumerable.Range(0, 2) from j in Enumerable.Range(0, 3) from k in Enumerable.Range(0, 4) select (double)((100 * i) + (10 * j) + k);
        Assert.Equal(expected, values);
    }
}
