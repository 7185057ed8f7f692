using System.Text.RegularExpressions;
using Hypersphere.Deployment.Tests.Helm;

namespace Hypersphere.Deployment.Tests;

/// <summary>Chart.yaml and values.yaml parse, say what they must, and every value a template reads is declared.</summary>
public sealed partial class ChartFileTests
{
    private readonly HelmChart _chart = HelmChart.Load();

    [Fact]
    public void ChartYamlDeclaresTheHypersphereApplicationChartWithSemanticVersions()
    {
        var chart = _chart.ChartYaml;

        Assert.Equal("v2", chart["apiVersion"]);
        Assert.Equal("hypersphere", chart["name"]);
        Assert.Equal("application", chart["type"]);
        Assert.Matches(SemVer(), Assert.IsType<string>(chart["version"]));
        Assert.Matches(SemVer(), Assert.IsType<string>(chart["appVersion"])); // quoted: a bare 1.10 would be a float
        Assert.False(string.IsNullOrWhiteSpace(chart["description"] as string));
    }

    [Fact]
    public void ValuesYamlParsesAndDocumentsEverySettingOnTheLineAbove()
    {
        var undocumented = UndocumentedKeys(_chart.ValuesText).ToList();

        Assert.NotEmpty(_chart.DefaultValues());
        Assert.True(undocumented.Count == 0, "values.yaml keys without a comment line above: " + string.Join(", ", undocumented));
    }

    [Fact]
    public void TheDocumentationCheckFindsAKeyWithoutAComment()
    {
        var text = "# the first\nfirst: 1\nsecond:\n  # inner\n  inner: 2\nlist:\n  - name: a\n    value: b\n";

        Assert.Equal(["second (line 3)", "list (line 6)"], UndocumentedKeys(text));
    }

    [Fact]
    public void EveryValuePathATemplateReadsIsDeclaredInValuesYaml()
    {
        var values = _chart.DefaultValues();
        var used = _chart.ValuePathsUsed().ToList();

        Assert.Contains(used, u => u.Path == ".gpu.enabled");
        var missing = used.Where(u => !Declared(values, u.Path)).Select(u => $"{u.File}: .Values{u.Path}").Distinct().ToList();
        Assert.True(missing.Count == 0, "not in values.yaml: " + string.Join(", ", missing));
    }

    [Fact]
    public void EveryTopLevelValueIsReadBySomeTemplate()
    {
        var read = _chart.ValuePathsUsed().Select(u => u.Path.Split('.', StringSplitOptions.RemoveEmptyEntries)[0]).ToHashSet(StringComparer.Ordinal);

        var unread = _chart.DefaultValues().Keys.Where(k => !read.Contains(k)).ToList();

        Assert.True(unread.Count == 0, "values.yaml settings no template reads: " + string.Join(", ", unread));
    }

    // A mapping key outside any sequence must have a comment line right above it (or a comment on its line).
    internal static IEnumerable<string> UndocumentedKeys(string text)
    {
        var lines = text.Split('\n');
        var open = new Stack<(int Indent, bool Sequence)>();
        var previous = string.Empty;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var trimmed = line.TrimStart();
            if (trimmed.Length == 0 || trimmed == "---")
            {
                continue;
            }

            if (trimmed.StartsWith('#'))
            {
                previous = trimmed;
                continue;
            }

            var indent = line.Length - trimmed.Length;
            while (open.Count > 0 && open.Peek().Indent >= indent)
            {
                open.Pop();
            }

            var sequence = trimmed.StartsWith("- ", StringComparison.Ordinal) || trimmed == "-";
            var inSequence = sequence || open.Any(o => o.Sequence);
            var key = Key().Match(trimmed);
            if (!inSequence && key.Success && !previous.StartsWith('#') && !trimmed.Contains(" #", StringComparison.Ordinal))
            {
                yield return $"{key.Groups[1].Value} (line {i + 1})";
            }

            open.Push((indent, sequence));
            previous = trimmed;
        }
    }

    private static bool Declared(IDictionary<string, object?> values, string path)
    {
        object? current = values;
        foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (current is not IDictionary<string, object?> map || !map.TryGetValue(part, out current))
            {
                return false;
            }
        }

        return true;
    }

    [GeneratedRegex(@"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")]
    private static partial Regex SemVer();

    [GeneratedRegex(@"^([A-Za-z0-9_.""/-]+):(\s|$)")]
    private static partial Regex Key();
}
