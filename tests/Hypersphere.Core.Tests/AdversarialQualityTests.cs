using System.Text.Json;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Errors;
using Hypersphere.Core.Metrics;
using Hypersphere.Core.Quality;

namespace Hypersphere.Core.Tests;

/// <summary>
/// Small, hostile inputs and extreme α and t: the analyzer either returns a report in which every
/// number is finite (so it serialises to JSON) or refuses with <see cref="ErrorKind.InvalidInput"/>
/// naming the parameter; nothing else may escape.
/// </summary>
public class AdversarialQualityTests
{
    private static readonly double[] Alphas = [double.Epsilon, 1e-300, 1e-10, 0.5, 1, 2, 3, 7.5, 100, 1000, 1000.0001, 1e6, 1e300];
    private static readonly double[] Widths = [double.Epsilon, 1e-300, 1e-10, 0.5, 2, 1e5, 1e10, 1e150, 1e300, 1.0001e300, 1e301];

    public static TheoryData<string> Cases => [.. Inputs().Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryNumberIsFiniteOrTheParameterIsNamed(string name)
    {
        var (x, y, labels) = Inputs()[name];
        foreach (var alpha in Alphas)
        {
            foreach (var t in Widths)
            {
                var what = $"{name} alpha={alpha:R} t={t:R}";
                QualityReport report;
                try
                {
                    report = QualityAnalyzer.Analyze(x, y, labels, new QualityOptions(alpha, t));
                }
                catch (HypersphereException e)
                {
                    Assert.True(e.Kind == ErrorKind.InvalidInput, $"{what}: {e.Kind} {e.Message}");
                    var named = (alpha > Alignment.MaxAlpha && e.Message.StartsWith("alpha must be", StringComparison.Ordinal))
                        || (t > Uniformity.MaxT && e.Message.StartsWith("t must be", StringComparison.Ordinal));
                    Assert.True(named, $"{what}: refused with '{e.Message}'");
                    Assert.Contains("but was", e.Message, StringComparison.Ordinal);
                    continue;
                }

                Assert.True(alpha <= Alignment.MaxAlpha && t <= Uniformity.MaxT, $"{what}: accepted out of range");
                AssertAllNumbersFinite(report, what);
                Assert.True(report.Uniformity <= 1e-12, $"{what}: uniformity {report.Uniformity} > 0");
                Assert.True(report.Uniformity >= report.Reference.FiniteNBound * (1 + 1e-12) - 1e-12, $"{what}: uniformity {report.Uniformity} below the bound {report.Reference.FiniteNBound}");
            }
        }
    }

    [Fact]
    public void LargeAlphaOnThreeCirclePointsIsTheMeanOfPowersOfDistances()
    {
        var (x, y, _) = Inputs()["circle triple"];
        var report = QualityAnalyzer.Analyze(x, y, options: new QualityOptions(Alpha: 1000));

        // Distances √2, √2 and √((0.2)² + (0.2)²) = 0.2√2: the last is negligible next to (√2)^1000 = 2^500.
        TestMatrices.AssertClose(2 * Math.Pow(2, 500) / 3, report.Alignment!.Value, 1e-12);
    }

    [Theory]
    [InlineData(1e6, 2.0, "alpha must be at most 1000 (alignment reaches 2^alpha", "in (0, 1000], but was 1000000")]
    [InlineData(2.0, 1e301, "t must be at most 1E+300 (uniformity multiplies", "in (0, 1E+300], but was 1E+301")]
    public void ParametersAboveTheirMaximumAreRefusedWithTheirRange(double alpha, double t, string rule, string shown)
    {
        var (x, y, _) = Inputs()["circle triple"];
        var error = Assert.Throws<HypersphereException>(() => QualityAnalyzer.Analyze(x, y, options: new QualityOptions(alpha, t)));
        Assert.Equal(ErrorKind.InvalidInput, error.Kind);
        Assert.Contains(rule, error.Message, StringComparison.Ordinal);
        Assert.Contains(shown, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HugeTOnThreeCirclePointsGivesTheNearestPairsExponent()
    {
        var (x, _, _) = Inputs()["circle triple"];
        const double t = 1e300;
        var report = QualityAnalyzer.Analyze(x, options: new QualityOptions(T: t));

        // Nearest pair (0,1)–(0.6,0.8): ‖·‖² = 0.36 + 0.04 = 0.4, so log((e^{−0.4t} + …)/3) ≈ −0.4t.
        TestMatrices.AssertClose(-0.4 * t, report.Uniformity, 1e-12);
        TestMatrices.AssertClose(-3 * t, report.Reference.FiniteNBound, 1e-15);
        Assert.True(report.Verdict.Reason.Length < 300, $"the verdict prints every digit: {report.Verdict.Reason}");
    }

    [Theory]
    [InlineData(1e-300)]
    [InlineData(1e-12)]
    [InlineData(1e-9)]
    public void TinyTGivesMinusTTimesTheMeanSquaredDistance(double t)
    {
        // Pairs of (1,0), (0,1), (0.6,0.8): squared distances 2, 0.8 and 0.4 by hand; log E e^{−t d²} = −t E d² + O(t²).
        var (x, _, _) = Inputs()["circle triple"];
        TestMatrices.AssertClose(-t * 3.2 / 3, Uniformity.Compute(x, t), 1e-8);
    }

    [Fact]
    public void NoJumpWhereUniformityChangesMethodForSmallT()
    {
        var x = TestMatrices.Uniform(40, 5, seed: 3);
        var below = Uniformity.Compute(x, Math.BitDecrement(Uniformity.SmallT));
        var at = Uniformity.Compute(x, Uniformity.SmallT);
        TestMatrices.AssertClose(below, at, 1e-7);
    }

    private static void AssertAllNumbersFinite(QualityReport report, string what)
    {
        var named = new Dictionary<string, double?>
        {
            ["alignment"] = report.Alignment,
            ["uniformity"] = report.Uniformity,
            ["uniformity_positives"] = report.UniformityPositives,
            ["uniformity_mean"] = report.UniformityMean,
            ["uniform_optimum"] = report.Reference.UniformOptimum,
            ["finite_n_bound"] = report.Reference.FiniteNBound,
            ["rank_me"] = report.RankMe,
            ["mean_cosine"] = report.MeanCosine,
            ["std_sqrt_d"] = report.StdSqrtD,
            ["k5"] = report.KnnAccuracy?.K5,
            ["k20_weighted"] = report.KnnAccuracy?.K20Weighted,
        };
        foreach (var (field, value) in named)
        {
            Assert.True(value is null || double.IsFinite(value.Value), $"{what}: {field} = {value}");
        }

        using var json = JsonDocument.Parse(QualityJson.Serialize(report));
        Walk(json.RootElement, "$");

        void Walk(JsonElement e, string path)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Number:
                    Assert.True(double.IsFinite(e.GetDouble()), $"{what}: {path} = {e}");
                    break;
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject())
                    {
                        Walk(p.Value, $"{path}.{p.Name}");
                    }

                    break;
                case JsonValueKind.Array:
                    var i = 0;
                    foreach (var item in e.EnumerateArray())
                    {
                        Walk(item, $"{path}[{i++}]");
                    }

                    break;
            }
        }
    }

    private static Dictionary<string, (EmbeddingMatrix X, EmbeddingMatrix? Y, int[]? Labels)> Inputs()
    {
        static EmbeddingMatrix M(double[] values, int dim, bool normalize = false) => EmbeddingMatrix.Create(values, values.Length / dim, dim, normalize);
        var wide = new double[2 * 4096];
        wide[0] = 1;
        wide[4096 + 4095] = 1;
        return new()
        {
            ["circle triple"] = (M([1, 0, 0, 1, 0.6, 0.8], 2), M([0, 1, 1, 0, 0.8, 0.6], 2), [0, 1, 0]),
            ["two identical rows"] = (M([1, 0, 1, 0], 2), M([1, 0, 1, 0], 2), [0, 0]),
            ["two antipodal rows, distinct labels"] = (M([1, 0, -1, 0], 2), M([-1, 0, 1, 0], 2), [0, 1]),
            ["one dimension"] = (M([1, -1, 1], 1), M([-1, 1, 1], 1), [5, 5, 5]),
            ["all rows equal, many labels"] = (M(Enumerable.Repeat(new[] { 0.6, 0.8 }, 25).SelectMany(r => r).ToArray(), 2), null, [.. Enumerable.Range(0, 25)]),
            ["two rows in 4096 dimensions"] = (M(wide, 4096), M(wide, 4096), [0, 1]),
            ["rows off unit norm within tolerance"] = (M([1.0009, 0, 0, 0.9991, -0.9991, 0], 2), M([0, 1.0009, 0.9991, 0, 0, -1.0009], 2), null),
            ["tiny and huge values normalised"] = (M([1e-300, 1e-300, 1e300, -1e300, 5e-324, 0], 2, normalize: true), null, [0, 1, 2]),
        };
    }
}
