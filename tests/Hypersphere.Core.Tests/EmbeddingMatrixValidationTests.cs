using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Errors;

namespace Hypersphere.Core.Tests;

/// <summary>What <see cref="EmbeddingMatrix"/> accepts, what it refuses, and what its messages say.</summary>
public class EmbeddingMatrixValidationTests
{
    [Fact]
    public void NonUnitRowIsRefusedWithRowIndexAndNorm()
    {
        double[] values = [1, 0, 0, 1, 0.6, 0.8, 0.9, 1.2];
        var error = Assert.Throws<HypersphereException>(() => EmbeddingMatrix.Create(values, 4, 2, normalize: false));
        Assert.Equal(ErrorKind.InvalidInput, error.Kind);
        Assert.Contains("row 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("norm 1.5", error.Message, StringComparison.Ordinal);
        Assert.Contains("unit norm", error.Message, StringComparison.Ordinal);
        Assert.Contains("normalize", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NormalizeDividesEachRowByItsNorm()
    {
        double[] values = [3, 4, 0, -2, 1, 1];
        var x = EmbeddingMatrix.Create(values, 3, 2, normalize: true);
        double[] expected = [0.6, 0.8, 0, -1, Math.Sqrt(0.5), Math.Sqrt(0.5)];
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], x.Values[i], 15);
        }

        Assert.Equal(3.0, values[0]);
    }

    [Fact]
    public void RowsWithinTheUnitNormToleranceAreAcceptedAndOthersAreNot()
    {
        Assert.Equal(2, EmbeddingMatrix.Create([1.0005, 0, 0, 0.9995], 2, 2, normalize: false).Rows);
        var error = Assert.Throws<HypersphereException>(() => EmbeddingMatrix.Create([1.0, 0, 0, 0.998], 2, 2, normalize: false));
        Assert.Contains("row 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("0.998", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ZeroRowIsRefusedEvenWithNormalize(bool normalize)
    {
        var error = Assert.Throws<HypersphereException>(() => EmbeddingMatrix.Create([1.0, 0, 0, 0, 0, 1], 3, 2, normalize));
        Assert.Equal(ErrorKind.InvalidInput, error.Kind);
        Assert.Contains("row 1", error.Message, StringComparison.Ordinal);
        Assert.Contains(normalize ? "all zeros" : "norm 0", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN, "NaN", false)]
    [InlineData(double.NaN, "NaN", true)]
    [InlineData(double.PositiveInfinity, "Infinity", true)]
    [InlineData(double.NegativeInfinity, "-Infinity", false)]
    public void NonFiniteValueIsRefusedWithItsPosition(double bad, string shown, bool normalize)
    {
        double[] values = [1, 0, 0, 0, 1, 0, 0, 0, 1];
        values[5] = bad;
        var error = Assert.Throws<HypersphereException>(() => EmbeddingMatrix.Create(values, 3, 3, normalize));
        Assert.Equal(ErrorKind.InvalidInput, error.Kind);
        Assert.Contains($"embeddings[1][2] is {shown}", error.Message, StringComparison.Ordinal);
        Assert.Contains("finite", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NonFiniteFloat32ValueIsRefused()
    {
        float[] values = [1, 0, float.NaN, 1];
        var error = Assert.Throws<HypersphereException>(() => EmbeddingMatrix.Create(values, 2, 2, normalize: true));
        Assert.Contains("embeddings[1][0] is NaN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FewerThanTwoRowsAreRefused()
    {
        var one = Assert.Throws<HypersphereException>(() => EmbeddingMatrix.Create([0.6, 0.8], 1, 2, normalize: false));
        Assert.Equal(ErrorKind.InvalidInput, one.Kind);
        Assert.Contains("at least 2 rows, but had 1", one.Message, StringComparison.Ordinal);

        var none = Assert.Throws<HypersphereException>(() => EmbeddingMatrix.FromRows([], normalize: false));
        Assert.Contains("at least 2 rows, but had 0", none.Message, StringComparison.Ordinal);

        var single = Assert.Throws<HypersphereException>(() => EmbeddingMatrix.FromRows([[1.0, 0]], normalize: false));
        Assert.Contains("at least 2 rows, but had 1", single.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RaggedRowsAreRefusedNamingBothLengths()
    {
        IReadOnlyList<double>[] rows = [[1.0, 0, 0], [0.0, 1, 0], [0.0, 1]];
        var error = Assert.Throws<HypersphereException>(() => EmbeddingMatrix.FromRows(rows, normalize: true));
        Assert.Equal(ErrorKind.InvalidInput, error.Kind);
        Assert.Contains("row 0 has 3 values", error.Message, StringComparison.Ordinal);
        Assert.Contains("row 2 has 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromRowsKeepsRowOrder()
    {
        IReadOnlyList<double>[] rows = [[0.0, 1], [0.6, -0.8], [-1.0, 0]];
        var x = EmbeddingMatrix.FromRows(rows, normalize: false);
        Assert.Equal((3, 2), (x.Rows, x.Dim));
        Assert.Equal([0.6, -0.8], x.Row(1).ToArray());
    }

    [Fact]
    public void ShapeThatDoesNotMatchTheValuesIsRefused()
    {
        var error = Assert.Throws<HypersphereException>(() => EmbeddingMatrix.Create(new double[5], 2, 3, normalize: true));
        Assert.Contains("shape [2, 3] needs 6 values, but 5 were given", error.Message, StringComparison.Ordinal);

        var noColumns = Assert.Throws<HypersphereException>(() => EmbeddingMatrix.Create(Array.Empty<double>(), 2, 0, normalize: true));
        Assert.Contains("at least 1 column, but had 0", noColumns.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MessagesUseTheCallersNameForTheInput()
    {
        var error = Assert.Throws<HypersphereException>(() => EmbeddingMatrix.Create([2.0, 0, 0, 1], 2, 2, normalize: false, name: "positives"));
        Assert.StartsWith("positives row 0", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1e200)]
    [InlineData(1e-200)]
    public void NormalizeGivesUnitRowsForVeryLargeOrSmallFiniteValues(double scale)
    {
        // A norm computed as √(Σx²) directly would overflow to ∞ for 1e200 (the row silently all zeros)
        // and underflow to 0 for 1e-200 (refused as "all zeros"); scaled, both normalise.
        double[] values = [scale, scale, 0, 1];
        var x = EmbeddingMatrix.Create(values, 2, 2, normalize: true);
        Assert.Equal(Math.Sqrt(0.5), x.Values[0], 15);
        Assert.Equal(Math.Sqrt(0.5), x.Values[1], 15);
    }
}
