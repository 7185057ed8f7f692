using System.Collections;
using Hypersphere.Deployment.Tests.Helm;
using Hypersphere.Service.Hosting;

namespace Hypersphere.Deployment.Tests.RealClusters;

/// <summary>metrics.port gives the unauthenticated /metrics a port of its own, scraped and opened on its own.</summary>
public sealed class MetricsPortTests
{
    private const string Separate = """
        metrics:
          port: 9090
          from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}]
          serviceMonitor: {enabled: true}
        networkPolicy:
          enabled: true
          from: [{podSelector: {matchLabels: {role: client}}}]
        """;

    private readonly HelmChart _chart = HelmChart.Load();

    [Fact]
    public void ByDefaultMetricsShareTheHttpPort()
    {
        var rendered = _chart.Render("metrics: {serviceMonitor: {enabled: true}}\nnetworkPolicy: {enabled: true}");

        Assert.DoesNotContain("Hypersphere__MetricsPort", Cluster.Env(Cluster.Service(rendered)).Keys);
        Assert.Equal(["http"], Ports(Yaml.List(rendered.One("Service").Body, "spec.ports")));
        Assert.Equal("http", Endpoint(rendered)["port"]);
        Assert.Single(Yaml.List(rendered.One("NetworkPolicy").Body, "spec.ingress"));
    }

    [Fact]
    public void ASeparatePortReachesTheServiceTheServiceMonitorAndTheNetworkPolicy()
    {
        var rendered = _chart.Render(Separate);
        var container = Cluster.Service(rendered);

        var env = Cluster.Env(container);
        var setting = "Hypersphere__MetricsPort";
        Assert.Equal("9090", env[setting]["value"]);
        Assert.NotNull(typeof(HypersphereOptions).GetProperty(setting["Hypersphere__".Length..])); // a setting the service reads
        var port = Yaml.Named(Yaml.List(container, "ports"), "metrics");
        Assert.Equal("9090", Convert.ToString(port["containerPort"], System.Globalization.CultureInfo.InvariantCulture));

        var service = Yaml.Named(Yaml.List(rendered.One("Service").Body, "spec.ports"), "metrics");
        Assert.Equal("metrics", service["targetPort"]);
        Assert.Equal("9090", Convert.ToString(service["port"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("metrics", Endpoint(rendered)["port"]);

        var rules = Yaml.List(rendered.One("NetworkPolicy").Body, "spec.ingress").Cast<IDictionary<string, object?>>().ToList();
        var metricsRule = Assert.Single(rules, r => RulePorts(r).Contains("metrics"));
        var httpRule = Assert.Single(rules, r => RulePorts(r).Contains("http"));
        Assert.Equal("monitoring", NamespaceLabel(metricsRule));
        Assert.Equal(["http"], RulePorts(httpRule));
        Assert.Equal("client", Yaml.At((IDictionary<string, object?>)((IList)httpRule["from"]!)[0]!, "podSelector.matchLabels.role"));
    }

    [Fact]
    public void TheMetricsPortCannotBeTheHttpPort() =>
        Cluster.Refused(_chart, "metrics: {port: 8080}", "metrics.port");

    private static IDictionary<string, object?> Endpoint(RenderedChart rendered) =>
        (IDictionary<string, object?>)Assert.Single(Yaml.List(rendered.One("ServiceMonitor").Body, "spec.endpoints"))!;

    private static List<object?> Ports(IList ports) => ports.Cast<IDictionary<string, object?>>().Select(p => p["name"]).ToList();

    private static List<object?> RulePorts(IDictionary<string, object?> rule) =>
        ((IList)rule["ports"]!).Cast<IDictionary<string, object?>>().Select(p => p["port"]).ToList();

    // The label key has dots, so read it from the map rather than by a dotted path.
    private static object? NamespaceLabel(IDictionary<string, object?> rule)
    {
        var peer = (IDictionary<string, object?>)((IList)rule["from"]!)[0]!;
        var labels = (IDictionary<string, object?>)Yaml.At(peer, "namespaceSelector.matchLabels")!;
        return labels["kubernetes.io/metadata.name"];
    }
}
