using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Errors;
using Hypersphere.Core.Metrics;
using Hypersphere.Core.Quality;

namespace Hypersphere.Core.Tests;

/// <summary>
/// Sampled uniformity and alignment against the exact pass over every pair (itself checked against the paper's
/// PyTorch formula elsewhere): the intervals must cover the exact value about 95 % of the time and the
/// estimates must be unbiased.
/// </summary>
public sealed class SampledQualityTests
{
    private static readonly EmbeddingMatrix X = EmbeddingMatrix.Create(TestMatrices.UnitRows(3000, 16, 1), 3000, 16, normalize: false);

    [Fact]
    public void TheUniformityIntervalCoversTheExactValueAboutNinetyFivePercentOfTheTime()
    {
        var exact = Uniformity.Compute(X, 2);
        const int Seeds = 400;
        var covered = 0;
        var means = new double[Seeds];
        for (var seed = 0; seed < Seeds; seed++)
        {
            var estimate = SampledEstimates.Uniformity(X, 2, 3000, seed);
            covered += estimate.Low <= exact && exact <= estimate.High ? 1 : 0;
            means[seed] = Math.Exp(estimate.Value);
        }

        var coverage = (double)covered / Seeds;
        Assert.InRange(coverage, 0.92, 0.98);

        // exp(estimate) is the sample mean of the kernel, unbiased for the exact mean over pairs i < j.
        var average = means.Average();
        var se = Math.Sqrt(means.Sum(m => (m - average) * (m - average)) / (Seeds - 1) / Seeds);
        Assert.True(Math.Abs(average - Math.Exp(exact)) <= 3 * se, $"mean of the estimates {average}, exact {Math.Exp(exact)}, standard error {se}");
    }

    [Fact]
    public void TheAlignmentIntervalCoversTheExactValueAboutNinetyFivePercentOfTheTime()
    {
        var y = EmbeddingMatrix.Create(Views(X, 0.3, 4), X.Rows, X.Dim, normalize: true);
        var exact = Alignment.Compute(X, y, 2);
        var covered = 0;
        for (var seed = 0; seed < 400; seed++)
        {
            var estimate = SampledEstimates.Alignment(X, y, 2, 500, seed);
            covered += estimate.Low <= exact && exact <= estimate.High ? 1 : 0;
        }

        Assert.InRange(covered / 400.0, 0.92, 0.98);
    }

    [Fact]
    public void ASeedGivesTheSameBitsOnOneCoreAndOnAll()
    {
        var one = SampledEstimates.Uniformity(X, 2, 200_000, 9, maxDegreeOfParallelism: 1);
        var all = SampledEstimates.Uniformity(X, 2, 200_000, 9);
        Assert.Equal(one, all);
        Assert.NotEqual(one.Value, SampledEstimates.Uniformity(X, 2, 200_000, 10).Value);
    }

    [Fact]
    public void AboveTheThresholdTheAnalyzerSamplesAndSaysSo()
    {
        var exact = QualityAnalyzer.Analyze(X);
        Assert.Equal("exact", exact.Estimator);
        Assert.Equal(3000L * 2999 / 2, exact.Pairs);
        Assert.Null(exact.UniformityCi);

        var report = QualityAnalyzer.Analyze(X, options: new QualityOptions(Sampling: new SamplingOptions(AutoAbovePairs: 1_000_000)));
        Assert.Equal("sampled", report.Estimator);
        Assert.Contains(report.Warnings, w => w.Contains("more than the 1000000 computed exactly by default", StringComparison.Ordinal));
        Assert.InRange(exact.Uniformity, report.UniformityCi![0], report.UniformityCi[1]);

        // The pair count was chosen for a half-width of about 0.005.
        var half = (report.UniformityCi[1] - report.UniformityCi[0]) / 2;
        Assert.InRange(half, 0.0035, 0.0065);
        Assert.Equal(exact.MeanCosine, report.MeanCosine, 1e-12); // O(N·d) measures stay exact
    }

    [Fact]
    public void ATargetErrorSizesTheSampleAndAskingForMorePairsThanThereAreIsExact()
    {
        var loose = QualityAnalyzer.Analyze(X, options: new QualityOptions(Sampling: new SamplingOptions(Error: 0.01)));
        var tight = QualityAnalyzer.Analyze(X, options: new QualityOptions(Sampling: new SamplingOptions(Error: 0.005)));
        Assert.InRange((loose.UniformityCi![1] - loose.UniformityCi[0]) / 2, 0.007, 0.013);
        Assert.InRange((double)tight.Pairs / loose.Pairs, 3, 5); // (0.01 / 0.005)² = 4 (each from its own pilot)

        var all = QualityAnalyzer.Analyze(X, options: new QualityOptions(Sampling: new SamplingOptions(Pairs: 10_000_000)));
        Assert.Equal("exact", all.Estimator);
        Assert.Contains(all.Warnings, w => w.Contains("computed exactly instead", StringComparison.Ordinal));
    }

    [Fact]
    public void ContradictorySettingsAreRefused()
    {
        var e = Assert.Throws<HypersphereException>(() => QualityAnalyzer.Analyze(X, options: new QualityOptions(Sampling: new SamplingOptions(Pairs: 100, Exact: true))));
        Assert.Equal(ErrorKind.InvalidInput, e.Kind);
        Assert.Contains("exclude each other", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<HypersphereException>(() => QualityAnalyzer.Analyze(X, options: new QualityOptions(Sampling: new SamplingOptions(Error: 0))));
        Assert.Contains("target error must be in (0, 10), but was 0", e.Message, StringComparison.Ordinal);
    }

    private static double[] Views(EmbeddingMatrix x, double noise, int seed)
    {
        var random = new Random(seed);
        var values = x.Values.ToArray();
        for (var i = 0; i < values.Length; i++)
        {
            values[i] += noise * (random.NextDouble() - 0.5);
        }

        return values;
    }
}
