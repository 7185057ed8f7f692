using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hypersphere.Deployment.Tests.Helm;

namespace Hypersphere.Deployment.Tests;

/// <summary>
/// The PrometheusRule the chart renders, checked by Debian's promtool (package prometheus, installed by .ci/install):
/// its groups pass <c>promtool check rules</c>, and <c>promtool test rules</c> unit tests, generated here from the
/// rendered rules and values.yaml's thresholds and durations, show each alert firing on series that must fire and
/// staying quiet on series that must not.
/// </summary>
public sealed partial class PrometheusRuleTests
{
    private const string Promtool = "/usr/bin/promtool";
    private static readonly string Service = $"{HelmChart.ReleaseName}-hypersphere";
    private readonly HelmChart _chart = HelmChart.Load();

    [SkippableFact]
    public void TheRenderedRulesPassPromtoolCheckRules()
    {
        var promtool = DebianTool.Require(Promtool, "prometheus");
        using var temp = new TempFolder();
        var rules = WriteRules(temp, RenderedGroups());

        var result = Processes.Run(promtool, ["check", "rules", rules], temp.Path, TimeSpan.FromMinutes(1));

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains($"SUCCESS: {Rules(RenderedGroups()).Count()} rules found", result.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void PromtoolCheckRulesFailsOnABrokenExpression()
    {
        var promtool = DebianTool.Require(Promtool, "prometheus");
        using var temp = new TempFolder();
        var groups = RenderedGroups();
        var collapse = Rule(groups, "HypersphereEmbeddingsCollapsed");
        collapse["expr"] = (string)collapse["expr"]! + " and on(";

        var result = Processes.Run(promtool, ["check", "rules", WriteRules(temp, groups)], temp.Path, TimeSpan.FromMinutes(1));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("HypersphereEmbeddingsCollapsed", result.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void EachAlertFiresOnSeriesThatMustFireAndStaysQuietOnSeriesThatMustNot()
    {
        var promtool = DebianTool.Require(Promtool, "prometheus");
        using var temp = new TempFolder();
        var groups = RenderedGroups();
        var cases = Cases(groups).ToList();

        var result = Processes.Run(promtool, ["test", "rules", WriteUnitTests(temp, groups, cases)], temp.Path, TimeSpan.FromMinutes(2));

        Assert.True(result.ExitCode == 0, $"{result.Output}\ncases: {string.Join("; ", cases.Select((c, i) => $"#{i} {c.Why}"))}");
        foreach (var alert in Rules(groups).Select(r => r["alert"] as string).Where(a => a is not null && a != "HypersphereNotReady" && a != "HypersphereDown" && a != "HypersphereHighErrorRate"))
        {
            Assert.Contains(cases, c => c.Alert == alert && c.Fires);
            Assert.Contains(cases, c => c.Alert == alert && !c.Fires);
        }
    }

    [SkippableTheory]
    [InlineData("HypersphereEmbeddingsCollapsed", false)]
    [InlineData("HypersphereEmbeddingsCollapsed", true)]
    [InlineData("HypersphereDeviceLost", true)]
    public void PromtoolTestRulesFailsWhenACaseExpectsTheOtherOutcome(string alert, bool fires)
    {
        var promtool = DebianTool.Require(Promtool, "prometheus");
        using var temp = new TempFolder();
        var groups = RenderedGroups();
        var flipped = Cases(groups).First(c => c.Alert == alert && c.Fires == fires) with { Fires = !fires };

        var result = Processes.Run(promtool, ["test", "rules", WriteUnitTests(temp, groups, [flipped])], temp.Path, TimeSpan.FromMinutes(1));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(alert, result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void EachNewAlertNamesTheModelOrPodAndPointsAtTheRunbook()
    {
        var runbook = Repository.Read("docs", "deployment.md");
        Assert.Contains("\n## Monitoring\n", runbook, StringComparison.Ordinal);

        foreach (var alert in new[] { "HypersphereDeviceLost", "HypersphereInferenceFailures", "HypersphereModelLoadFailures", "HypersphereEmbeddingsCollapsed", "HypersphereEmbeddingsDrift" })
        {
            var annotations = Yaml.Map(Rule(RenderedGroups(), alert), "annotations");
            Assert.Contains("{{ $labels.model }}", (string)annotations["summary"]!, StringComparison.Ordinal);
            Assert.Contains("{{ $labels.model }}", (string)annotations["description"]!, StringComparison.Ordinal);
            Assert.Contains("docs/deployment.md, \"Monitoring\"", (string)annotations["description"]!, StringComparison.Ordinal);
            Assert.Contains($"`{alert}`", runbook, StringComparison.Ordinal); // the runbook has a paragraph on it
        }
    }

    [Fact]
    public void CiInstallsPrometheus()
    {
        var install = Repository.Read(".ci", "install");
        var start = install.IndexOf("packages=(", StringComparison.Ordinal);
        var list = install[start..install.IndexOf("\n)", start, StringComparison.Ordinal)];

        Assert.Contains(list.Split('\n'), line => line.Trim().Split(' ', 2)[0] == "prometheus");
    }

    /// <summary>One promtool unit test: input series (1 m apart from 0 m), one alert evaluated at one time.</summary>
    /// <param name="Labels">Labels the firing alert carries besides the pod's, the model's and the rule's.</param>
    private sealed record AlertCase(string Why, string Alert, int EvalMinutes, bool Fires, (string Series, string Values)[] Input, Dictionary<string, string>? Labels = null);

    private const string Pod = "demo-hypersphere-5d9c7-x2x4q";
    private const string Model = "fmnist-align-uniform@2";

    /// <summary>
    /// The cases, with thresholds and durations read from the rendered rules' values: what must fire crosses the
    /// threshold for one minute longer than the rule's <c>for</c>, what must not stays on the safe side or crosses
    /// for less.
    /// </summary>
    private IEnumerable<AlertCase> Cases(List<object?> groups)
    {
        var rule = (IDictionary<string, object?>)Yaml.At(_chart.DefaultValues(), "metrics.prometheusRule")!;
        double Value(string key) => Convert.ToDouble(rule[key], CultureInfo.InvariantCulture);
        int Minutes(string key) => PromMinutes((string)rule[key]!);
        int For(string alert) => PromMinutes((string)Rule(groups, alert)["for"]!);

        // The brief's numbers: a collapsed window (-0.01), a healthy one (-3.7, the shipped cards' -3.69 and -3.77),
        // a drift of 0.6; they must sit on the intended sides of the chart's thresholds for the cases to mean anything.
        const double collapsed = -0.01, healthy = -3.7, drift = 0.6, smallDrift = 0.4, rankMe = 40, fewDirections = 1;
        Assert.True(collapsed > Value("collapseUniformityAbove") && healthy < Value("collapseUniformityAbove"), "collapseUniformityAbove moved past the test's -0.01 / -3.7");
        Assert.True(fewDirections < Value("collapseRankMeBelow") && rankMe > Value("collapseRankMeBelow"), "collapseRankMeBelow moved past the test's 1 / 40");
        Assert.True(drift > Value("driftThreshold") && smallDrift < Value("driftThreshold"), "driftThreshold moved past the test's 0.6 / 0.4");
        var window = (long)Value("liveMinWindow");
        var smallWindow = window / 2;

        var collapseFor = For("HypersphereEmbeddingsCollapsed");
        var horizon = collapseFor + 10;
        (string, string)[] Live(double uniformity, double rank, long rows, int minutes = -1) =>
        [
            (Series("hypersphere_live_uniformity"), minutes < 0 ? Constant(uniformity, horizon) : $"{Constant(uniformity, minutes)} {Constant(healthy, horizon - minutes)}"),
            (Series("hypersphere_live_rank_me"), Constant(rank, horizon)),
            (Series("hypersphere_live_window_size"), Constant(rows, horizon)),
        ];
        yield return new("collapse: uniformity -0.01 for for+1 m", "HypersphereEmbeddingsCollapsed", collapseFor + 1, true, Live(collapsed, rankMe, 4096));
        yield return new("collapse: RankMe 1 for for+1 m", "HypersphereEmbeddingsCollapsed", collapseFor + 1, true, Live(healthy, fewDirections, 4096));
        yield return new("collapse: not yet at for-1 m", "HypersphereEmbeddingsCollapsed", collapseFor - 1, false, Live(collapsed, rankMe, 4096));
        yield return new("collapse: healthy -3.7", "HypersphereEmbeddingsCollapsed", collapseFor + 1, false, Live(healthy, rankMe, 4096));
        yield return new("collapse: a 5-minute spike", "HypersphereEmbeddingsCollapsed", collapseFor + 1, false, Live(collapsed, rankMe, 4096, minutes: 5));
        yield return new("collapse: a window below liveMinWindow", "HypersphereEmbeddingsCollapsed", collapseFor + 1, false, Live(collapsed, rankMe, smallWindow));

        var driftFor = For("HypersphereEmbeddingsDrift");
        (string, string)[] Drift(double value) =>
            [(Series("hypersphere_live_uniformity_drift"), Constant(value, driftFor + 5)), (Series("hypersphere_live_window_size"), Constant(4096, driftFor + 5))];
        yield return new("drift: +0.6 for for+1 m", "HypersphereEmbeddingsDrift", driftFor + 1, true, Drift(drift));
        yield return new("drift: -0.6 for for+1 m", "HypersphereEmbeddingsDrift", driftFor + 1, true, Drift(-drift));
        yield return new("drift: 0.4, below the threshold", "HypersphereEmbeddingsDrift", driftFor + 1, false, Drift(smallDrift));

        var lostWindow = Minutes("deviceLostWindow");
        var lost = Series("hypersphere_inference_failures_total", ("kind", "device_lost"));
        var lostLabels = new Dictionary<string, string> { ["kind"] = "device_lost" };
        // The counter's first series already reads 1 (prometheus-net exports a label set once counted).
        var firstLoss = $"_ _ {Constant(1, lostWindow + 20)}";
        yield return new("device lost: the counter appears at 1", "HypersphereDeviceLost", 3, true, [(lost, firstLoss)], lostLabels);
        yield return new("device lost: an old counter rises again", "HypersphereDeviceLost", lostWindow + 5, true, [(lost, $"{Constant(1, lostWindow + 2)} 2+1x10")], lostLabels);
        yield return new("device lost: quiet once the window has passed", "HypersphereDeviceLost", lostWindow + 10, false, [(lost, firstLoss)]);
        yield return new("device lost: runtime failures are another kind", "HypersphereDeviceLost", 6, false, [(Series("hypersphere_inference_failures_total", ("kind", "runtime")), $"0+5x{lostWindow + 10}")]);

        var loadWindow = Minutes("modelLoadFailureWindow");
        var loads = Series("hypersphere_model_load_failures_total");
        yield return new("load failures: a first failed attempt, then retries", "HypersphereModelLoadFailures", 3, true, [(loads, $"_ 1+1x3 {Constant(4, loadWindow + 10)}")]);
        yield return new("load failures: old ones, none within the window", "HypersphereModelLoadFailures", loadWindow + 10, false, [(loads, Constant(3, loadWindow + 20))]);

        var failureFor = For("HypersphereInferenceFailures");
        var failureWindow = Minutes("inferenceFailureWindow");
        var ratio = Value("inferenceFailureRatio");
        var end = failureWindow + failureFor + 10;
        var runs = Series("hypersphere_batch_size_count");
        var runtime = Series("hypersphere_inference_failures_total", ("kind", "runtime"));
        var memory = Series("hypersphere_inference_failures_total", ("kind", "out_of_memory"));
        // Per minute: 60 good runs against 6 + 6 failures (12/72 = 0.17), or against 1 (1/61 = 0.016).
        Assert.True(12.0 / 72 > ratio && 1.0 / 61 < ratio, "inferenceFailureRatio moved past the test's 0.17 / 0.016");
        var at = failureWindow + failureFor + 2;
        yield return new("failures: 17 % of the runs fail", "HypersphereInferenceFailures", at, true, [(runs, $"0+60x{end}"), (runtime, $"0+6x{end}"), (memory, $"0+6x{end}")]);
        yield return new("failures: every run fails, no good run has a series", "HypersphereInferenceFailures", at, true, [(memory, $"0+6x{end}")]);
        yield return new("failures: 1.6 % of the runs fail", "HypersphereInferenceFailures", at, false, [(runs, $"0+60x{end}"), (runtime, $"0+1x{end}")]);
        yield return new("failures: device_lost is not counted here", "HypersphereInferenceFailures", at, false, [(runs, $"0+60x{end}"), (lost, $"0+30x{end}")]);
    }

    private static string Series(string metric, params (string Key, string Value)[] extra)
    {
        var labels = new[] { ("namespace", HelmChart.Namespace), ("service", Service), ("pod", Pod), ("model", Model) }.Concat(extra);
        return $"{metric}{{{string.Join(",", labels.Select(l => $"{l.Item1}=\"{l.Item2}\""))}}}";
    }

    // promtool's expanding notation: a+bxn is n+1 samples, so n-1 repeats give n samples (one a minute).
    private static string Constant(double value, int samples) => $"{value.ToString("R", CultureInfo.InvariantCulture)}+0x{samples - 1}";

    private static int PromMinutes(string duration)
    {
        var match = Duration().Match(duration);
        Assert.True(match.Success, $"'{duration}' is not a duration these tests read (whole minutes or hours)");
        var number = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value == "h" ? number * 60 : number;
    }

    private List<object?> RenderedGroups() =>
        [.. Yaml.List(_chart.Render(Scenarios.Everything).One("PrometheusRule").Body, "spec.groups").Cast<object?>()];

    private static IEnumerable<IDictionary<string, object?>> Rules(List<object?> groups) =>
        groups.SelectMany(g => Yaml.List(g, "rules").Cast<IDictionary<string, object?>>());

    private static IDictionary<string, object?> Rule(List<object?> groups, string alert) =>
        Assert.Single(Rules(groups), r => r.TryGetValue("alert", out var name) && (string?)name == alert);

    /// <summary>The PrometheusRule's groups as a plain Prometheus rules file (JSON is YAML).</summary>
    private static string WriteRules(TempFolder temp, List<object?> groups)
    {
        var path = temp.File("rules.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, object?> { ["groups"] = groups }));
        return path;
    }

    /// <summary>A promtool unit test file: one test group per case, the expected alert's labels and annotations as Prometheus expands them.</summary>
    private static string WriteUnitTests(TempFolder temp, List<object?> groups, IEnumerable<AlertCase> cases)
    {
        var rulesFile = Path.GetFileName(WriteRules(temp, groups));
        var tests = cases.Select(c =>
        {
            var rule = Rule(groups, c.Alert);
            var labels = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["namespace"] = HelmChart.Namespace,
                ["service"] = Service,
                ["pod"] = Pod,
                ["model"] = Model,
            };
            foreach (var (key, value) in c.Labels ?? [])
            {
                labels[key] = value;
            }

            foreach (var (key, value) in Yaml.Map(rule, "labels"))
            {
                labels[key] = (string)value!;
            }

            var annotations = Yaml.Map(rule, "annotations").ToDictionary(a => a.Key, a => Expand((string)a.Value!, labels), StringComparer.Ordinal);
            return new Dictionary<string, object?>
            {
                ["interval"] = "1m",
                ["input_series"] = c.Input.Select(s => new Dictionary<string, string> { ["series"] = s.Series, ["values"] = s.Values }).ToList(),
                ["alert_rule_test"] = new[]
                {
                    new Dictionary<string, object?>
                    {
                        ["eval_time"] = $"{c.EvalMinutes}m",
                        ["alertname"] = c.Alert,
                        ["exp_alerts"] = c.Fires ? new[] { new Dictionary<string, object?> { ["exp_labels"] = labels, ["exp_annotations"] = annotations } } : [],
                    },
                },
            };
        }).ToList();
        var path = temp.File("tests.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, object?> { ["rule_files"] = new[] { rulesFile }, ["evaluation_interval"] = "1m", ["tests"] = tests }));
        return path;
    }

    // What Prometheus makes of {{ $labels.x }} in an annotation; anything else in braces is left, and promtool then disagrees.
    private static string Expand(string template, Dictionary<string, string> labels) =>
        LabelReference().Replace(template, m => labels[m.Groups[1].Value]);

    [GeneratedRegex(@"\{\{ \$labels\.([a-z_]+) \}\}")]
    private static partial Regex LabelReference();

    [GeneratedRegex(@"^(\d+)([mh])$")]
    private static partial Regex Duration();
}
