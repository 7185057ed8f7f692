using Hypersphere.Deployment.Tests.Helm;

namespace Hypersphere.Deployment.Tests.RealClusters;

/// <summary>
/// The HPA waits before it scales (GPU pods take minutes to be ready), and the queue-depth metric it reads comes
/// with the prometheus-adapter rule that serves it, summed per pod over the models.
/// </summary>
public sealed class AutoscalingTests
{
    private readonly HelmChart _chart = HelmChart.Load();

    [Fact]
    public void ScalingIsDampedUpAndDown()
    {
        var behavior = Yaml.Map(_chart.Render("autoscaling: {enabled: true}").One("HorizontalPodAutoscaler").Body, "spec.behavior");

        Assert.True((long)Yaml.At(behavior, "scaleUp.stabilizationWindowSeconds")! > 0);
        Assert.NotEmpty(Yaml.List(behavior, "scaleUp.policies"));
        Assert.Equal(300L, Yaml.At(behavior, "scaleDown.stabilizationWindowSeconds"));
        Assert.NotEmpty(Yaml.List(behavior, "scaleDown.policies"));
        var overridden = _chart.Render("autoscaling: {enabled: true, behavior: {scaleDown: {stabilizationWindowSeconds: 600}}}");
        Assert.Equal(600L, Yaml.At(overridden.One("HorizontalPodAutoscaler").Body, "spec.behavior.scaleDown.stabilizationWindowSeconds"));
    }

    [Fact]
    public void TheAdapterRuleServesTheHpasMetricSummedPerPod()
    {
        var rendered = _chart.Render("autoscaling: {enabled: true, queueDepth: {enabled: true, adapterRule: {enabled: true}}}");
        var metric = (string)Yaml.At(rendered.One("HorizontalPodAutoscaler").Body, "spec.metrics[1].pods.metric.name")!;

        var map = Assert.Single(rendered.OfKind("ConfigMap"), m => m.Name.EndsWith("-adapter-rule", StringComparison.Ordinal));
        var rules = HelmYaml.LoadMap((string)Yaml.Map(map.Body, "data")["config.yaml"]!, helmNumbers: false);
        var rule = Assert.Single(Yaml.List(rules, "rules").Cast<IDictionary<string, object?>>());
        Assert.StartsWith("hypersphere_queue_depth{", (string)rule["seriesQuery"]!, StringComparison.Ordinal);
        Assert.Equal(metric, Yaml.At(rule, "name.as"));
        Assert.Equal("pod", Yaml.At(rule, "resources.overrides.pod.resource"));
        Assert.Equal("namespace", Yaml.At(rule, "resources.overrides.namespace.resource"));
        Assert.Equal("sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)", rule["metricsQuery"]);
        Assert.DoesNotContain(_chart.Render("autoscaling: {enabled: true, queueDepth: {enabled: true}}").OfKind("ConfigMap"), m => m.Name.EndsWith("-adapter-rule", StringComparison.Ordinal));
    }
}
