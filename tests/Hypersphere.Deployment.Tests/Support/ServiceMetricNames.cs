using System.Text.RegularExpressions;

namespace Hypersphere.Deployment.Tests;

/// <summary>
/// The metric names the deployment files may use, read from the service's source rather than from the chart: every
/// <c>"hypersphere_…"</c> string literal under src/Hypersphere.Service, and the live-quality gauges issue #13 names
/// (built in the service beside this chart; <see cref="Live"/> is that contract).
/// </summary>
public static partial class ServiceMetricNames
{
    /// <summary>The gauges of issue #13, each labelled <c>model="name@version"</c>.</summary>
    public static readonly IReadOnlyList<string> Live =
    [
        "hypersphere_live_uniformity",
        "hypersphere_live_mean_cosine",
        "hypersphere_live_rank_me",
        "hypersphere_live_std_sqrt_d",
        "hypersphere_live_window_size",
        "hypersphere_live_uniformity_drift",
        "hypersphere_live_alignment",
        "hypersphere_live_collapsed",
    ];

    private static readonly Lazy<HashSet<string>> DeclaredNames = new(() =>
        Directory.EnumerateFiles(Repository.PathOf("src", "Hypersphere.Service"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => Literal().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal));

    /// <summary>Every <c>"hypersphere_…"</c> string literal of the service's code.</summary>
    public static IReadOnlySet<string> Declared => DeclaredNames.Value;

    /// <summary>The family a series name belongs to: a histogram's <c>_bucket</c>, <c>_count</c> and <c>_sum</c> series are its own name's.</summary>
    public static string Family(string series, IReadOnlySet<string> families)
    {
        foreach (var suffix in new[] { "_bucket", "_count", "_sum" })
        {
            if (series.EndsWith(suffix, StringComparison.Ordinal) && families.Contains(series[..^suffix.Length]))
            {
                return series[..^suffix.Length];
            }
        }

        return series;
    }

    /// <summary>The <c>hypersphere_…</c> names a PromQL expression reads.</summary>
    public static IEnumerable<string> In(string promql) => InQuery().Matches(promql).Select(m => m.Value);

    [GeneratedRegex("\"(hypersphere_[a-z_]+)\"")]
    private static partial Regex Literal();

    [GeneratedRegex(@"\bhypersphere_[a-z_]+\b")]
    private static partial Regex InQuery();
}
