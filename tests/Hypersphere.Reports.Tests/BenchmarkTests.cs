using System.Diagnostics;
using Hypersphere.Core.Quality;
using Xunit.Abstractions;

namespace Hypersphere.Reports.Tests;

/// <summary>
/// The speed target, run on demand (HYPERSPHERE_BENCHMARK=1): Core's analysis plus the audit report for
/// N = 10 000, d = 128 with positives and labels, in under 5 s on 2 cores. Prints the times.
/// </summary>
public sealed class BenchmarkTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void AnalyzeAndBuildTenThousandByOneHundredTwentyEight()
    {
        Skip.IfNot(Environment.GetEnvironmentVariable("HYPERSPHERE_BENCHMARK") == "1", "set HYPERSPHERE_BENCHMARK=1 to run the benchmark");
        const int n = 10_000, dim = 128;
        var random = new Random(11);
        var xv = Data.UnitRows(n, dim, random);
        var x = Data.Matrix(xv, dim);
        var y = Data.Matrix(Data.Noisy(xv, dim, 0.05, random), dim);
        var labels = Enumerable.Range(0, n).Select(i => "class " + (i % 10)).ToArray();
        var ids = LabelSet.ToIds(labels);

        // One small warm-up, so the times below are the work and not the JIT.
        var small = Data.Audit(300, 16);
        AuditReport.Build(small);

        var clock = Stopwatch.StartNew();
        var report = QualityAnalyzer.Analyze(x, y, ids);
        var analyzed = clock.Elapsed;
        var document = AuditReport.Build(new AuditInput(x, y, labels, report));
        var total = clock.Elapsed;
        output.WriteLine($"N = {n}, d = {dim}, positives and labels: Analyze {analyzed.TotalSeconds:F2} s, Build {(total - analyzed).TotalSeconds:F2} s, together {total.TotalSeconds:F2} s ({document.Figures.Count} figures, {document.Html.Length} characters of HTML)");
        Assert.True(total < TimeSpan.FromSeconds(5), $"Analyze + Build took {total.TotalSeconds:F2} s");
    }
}
