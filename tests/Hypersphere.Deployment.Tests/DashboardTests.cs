using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hypersphere.Deployment.Tests.Helm;

namespace Hypersphere.Deployment.Tests;

/// <summary>
/// The Grafana dashboard the chart ships (helm/hypersphere/dashboards/hypersphere.json): valid JSON in a ConfigMap the
/// dashboard sidecar finds, every query reading metrics the service's code declares (or issue #13's live gauges),
/// every query valid PromQL to Debian's promtool, and the data source a variable.
/// </summary>
public sealed partial class DashboardTests
{
    private const string DataSource = "${datasource}";
    private readonly HelmChart _chart = HelmChart.Load();

    private static string DashboardText => Repository.Read("helm", "hypersphere", "dashboards", "hypersphere.json");

    [Fact]
    public void TheConfigMapIsOffByDefaultAndCarriesTheSidecarLabelAndTheFileVerbatim()
    {
        Assert.DoesNotContain(_chart.Render().Manifests, m => m.File == "grafana-dashboard.yaml");

        var map = _chart.Render("metrics: {grafanaDashboard: {enabled: true}}").One("ConfigMap", "grafana-dashboard.yaml");
        Assert.Equal("1", Yaml.Map(map.Body, "metadata.labels")["grafana_dashboard"]);
        Assert.Equal(DashboardText.TrimEnd('\n'), Yaml.Map(map.Body, "data")["hypersphere.json"]);

        var custom = _chart.Render("metrics: {grafanaDashboard: {enabled: true, labelKey: dashboards, labelValue: ml, annotations: {grafana_folder: ML}}}")
            .One("ConfigMap", "grafana-dashboard.yaml");
        Assert.Equal("ml", Yaml.Map(custom.Body, "metadata.labels")["dashboards"]);
        Assert.False(Yaml.Map(custom.Body, "metadata.labels").ContainsKey("grafana_dashboard"));
        Assert.Equal("ML", Yaml.Map(custom.Body, "metadata.annotations")["grafana_folder"]);
    }

    [Fact]
    public void EveryPanelAndQueryUsesTheTemplatedDataSource()
    {
        var dashboard = Dashboard();
        var variable = Assert.Single(Variables(dashboard), v => (string?)v["type"] == "datasource");
        Assert.Equal("datasource", (string?)variable["name"]);
        Assert.Equal("prometheus", (string?)variable["query"]);

        Assert.NotEmpty(Panels(dashboard));
        var users = Panels(dashboard).Concat(Panels(dashboard).SelectMany(Targets)).Concat(Variables(dashboard).Where(v => (string?)v["type"] == "query"));
        Assert.All(users, user =>
        {
            Assert.Equal("prometheus", (string?)user["datasource"]?["type"]);
            Assert.Equal(DataSource, (string?)user["datasource"]?["uid"]);
        });
    }

    [Fact]
    public void EveryQueryReadsMetricsTheServiceDeclaresOrIssue13Names()
    {
        var queries = Queries(Dashboard()).ToList();

        Assert.Empty(UnknownMetrics(queries));
        Assert.Equal(["hypersphere_made_up_total"], UnknownMetrics(["sum(rate(hypersphere_made_up_total[5m]))"])); // the check can fail
        var read = queries.SelectMany(ServiceMetricNames.In).ToHashSet(StringComparer.Ordinal);
        string[] required =
        [
            "hypersphere_http_requests_total", "hypersphere_http_request_duration_seconds_bucket", "hypersphere_queue_depth",
            "hypersphere_rejected_total", "hypersphere_inference_failures_total", .. ServiceMetricNames.Live,
        ];
        Assert.All(required, metric => Assert.Contains(metric, read));
        Assert.Contains(queries, q => q.StartsWith("histogram_quantile(0.99, sum by (le) (rate(hypersphere_http_request_duration_seconds_bucket", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void EveryQueryIsPromqlThatPromtoolAccepts()
    {
        var promtool = DebianTool.Require("/usr/bin/promtool", "prometheus");
        using var temp = new TempFolder();
        var expressions = Queries(Dashboard()).Where(q => !q.StartsWith("label_values(", StringComparison.Ordinal)).ToList();

        var good = Processes.Run(promtool, ["check", "rules", WriteAsRecordingRules(temp, expressions)], temp.Path, TimeSpan.FromMinutes(1));
        var bad = Processes.Run(promtool, ["check", "rules", WriteAsRecordingRules(temp, [.. expressions, "sum by (model (hypersphere_queue_depth)"])], temp.Path, TimeSpan.FromMinutes(1));

        Assert.True(good.ExitCode == 0, good.Output);
        Assert.NotEqual(0, bad.ExitCode); // the check can fail
    }

    private static JsonNode Dashboard() => JsonNode.Parse(DashboardText, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false })!;

    private static IEnumerable<JsonNode> Panels(JsonNode dashboard) => dashboard["panels"]!.AsArray().Select(p => p!);

    private static IEnumerable<JsonNode> Targets(JsonNode panel) => panel["targets"]!.AsArray().Select(t => t!);

    private static IEnumerable<JsonNode> Variables(JsonNode dashboard) => dashboard["templating"]!["list"]!.AsArray().Select(v => v!);

    /// <summary>Every PromQL query: the panels' targets and the query variables' label_values(…).</summary>
    private static IEnumerable<string> Queries(JsonNode dashboard) =>
        Panels(dashboard).SelectMany(Targets).Select(t => (string)t["expr"]!)
            .Concat(Variables(dashboard).Where(v => (string?)v["type"] == "query").Select(v => (string)v["query"]!["query"]!));

    private static List<string> UnknownMetrics(IEnumerable<string> queries)
    {
        var known = ServiceMetricNames.Declared.Concat(ServiceMetricNames.Live).ToHashSet(StringComparer.Ordinal);
        return queries.SelectMany(ServiceMetricNames.In).Where(m => !known.Contains(ServiceMetricNames.Family(m, known))).Distinct().ToList();
    }

    /// <summary>The queries as recording rules, with Grafana's variables replaced by what they expand to.</summary>
    private static string WriteAsRecordingRules(TempFolder temp, IEnumerable<string> expressions)
    {
        var rules = expressions.Select((e, i) => new Dictionary<string, string>
        {
            ["record"] = $"dashboard:query_{i}",
            ["expr"] = GrafanaVariable().Replace(e.Replace("$__rate_interval", "5m", StringComparison.Ordinal), ".*"),
        });
        var path = temp.File("dashboard-rules.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new { groups = new[] { new { name = "dashboard", rules } } }));
        return path;
    }

    [GeneratedRegex(@"\$(?:namespace|service|model)\b")]
    private static partial Regex GrafanaVariable();
}
