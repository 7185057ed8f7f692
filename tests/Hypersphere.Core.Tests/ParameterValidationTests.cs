using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Errors;
using Hypersphere.Core.Metrics;
using Hypersphere.Core.Quality;

namespace Hypersphere.Core.Tests;

/// <summary>α, t, positives and labels are checked before any work, with messages that state the value and the rule.</summary>
public class ParameterValidationTests
{
    private static readonly EmbeddingMatrix Square = EmbeddingMatrix.Create([1.0, 0, 0, 1, 0.6, 0.8, -1, 0], 4, 2, normalize: false);

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(-1.0, "-1")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    public void NonPositiveOrNonFiniteAlphaIsRefused(double alpha, string shown)
    {
        AssertInvalid(() => Alignment.Compute(Square, Square, alpha), "alpha must be a finite number > 0", $"but was {shown}");
        AssertInvalid(() => QualityAnalyzer.Analyze(Square, options: new QualityOptions(Alpha: alpha)), "alpha", $"but was {shown}");
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    public void NonPositiveOrNonFiniteTIsRefused(double t, string shown)
    {
        AssertInvalid(() => Uniformity.Compute(Square, t), "t must be a finite number > 0", $"but was {shown}");
        AssertInvalid(() => UniformityReference.UniformOptimum(3, t), "t must be", shown);
        AssertInvalid(() => UniformityReference.FiniteNBound(3, t), "t must be", shown);
        AssertInvalid(() => QualityAnalyzer.Analyze(Square, options: new QualityOptions(T: t)), "t must be", shown);
    }

    [Fact]
    public void PositivesWithADifferentRowCountAreRefused()
    {
        var three = EmbeddingMatrix.Create([1.0, 0, 0, 1, 0.6, 0.8], 3, 2, normalize: false);
        AssertInvalid(() => Alignment.Compute(Square, three), "embeddings has 4 rows", "positives has 3");
        AssertInvalid(() => QualityAnalyzer.Analyze(Square, three), "embeddings has 4 rows", "positives has 3");
    }

    [Fact]
    public void PositivesWithADifferentDimensionAreRefused()
    {
        var wide = EmbeddingMatrix.Create([1.0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0], 4, 3, normalize: false);
        AssertInvalid(() => Alignment.Compute(Square, wide), "dimension 2", "have 3");
        AssertInvalid(() => QualityAnalyzer.Analyze(Square, wide), "dimension 2", "have 3");
    }

    [Fact]
    public void LabelsWhoseCountDiffersFromTheRowsAreRefused()
    {
        AssertInvalid(() => NearestNeighbourAccuracy.Compute(Square, [0, 1, 0]), "one entry per embedding (4)", "had 3");
        AssertInvalid(() => QualityAnalyzer.Analyze(Square, labels: [0, 1, 0, 1, 1]), "(4)", "had 5");
    }

    [Fact]
    public void ErrorKindsMapToTheDesignedHttpStatusesAndDistinctExitCodes()
    {
        Assert.Equal(400, ErrorKindMapping.HttpStatus(ErrorKind.BadRequest));
        Assert.Equal(422, ErrorKindMapping.HttpStatus(ErrorKind.InvalidInput));
        Assert.Equal(413, ErrorKindMapping.HttpStatus(ErrorKind.TooLarge));
        Assert.Equal(429, ErrorKindMapping.HttpStatus(ErrorKind.Overloaded));
        Assert.Equal(503, ErrorKindMapping.HttpStatus(ErrorKind.NotReady));
        Assert.Equal(404, ErrorKindMapping.HttpStatus(ErrorKind.NotFound));
        var codes = Enum.GetValues<ErrorKind>().Select(ErrorKindMapping.ExitCode).ToList();
        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.DoesNotContain(0, codes);
        Assert.DoesNotContain(1, codes);
    }

    private static void AssertInvalid(Action act, params string[] fragments)
    {
        var error = Assert.Throws<HypersphereException>(act);
        Assert.Equal(ErrorKind.InvalidInput, error.Kind);
        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        }
    }
}
