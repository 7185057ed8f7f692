using System.Collections;
using Hypersphere.Deployment.Tests.Helm;

namespace Hypersphere.Deployment.Tests.RealClusters;

/// <summary>The smaller points of issue #12: volume ownership, spreading, the CUDA cache, GPU memory and GPU count.</summary>
public sealed class PodDetailsTests
{
    private readonly HelmChart _chart = HelmChart.Load();

    [Fact]
    public void VolumeOwnershipIsChangedOnlyWhenTheRootDoesNotMatch()
    {
        Assert.Equal("OnRootMismatch", Yaml.At(Cluster.Pod(_chart.Render("models: {source: pvc}")), "securityContext.fsGroupChangePolicy"));
    }

    [Fact]
    public void PodsSpreadOverNodesSoftlyByDefaultAndUsersReplaceTheSpread()
    {
        var rendered = _chart.Render();
        var spread = Assert.Single(Yaml.List(Cluster.Pod(rendered), "topologySpreadConstraints").Cast<IDictionary<string, object?>>());
        Assert.Equal("kubernetes.io/hostname", spread["topologyKey"]);
        Assert.Equal("ScheduleAnyway", spread["whenUnsatisfiable"]);
        Assert.Equal(Yaml.Map(rendered.One("Deployment").Body, "spec.selector.matchLabels"), Yaml.Map(spread, "labelSelector.matchLabels"));

        var zones = _chart.Render("topologySpreadConstraints: [{maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {a: b}}}]");
        Assert.Equal("topology.kubernetes.io/zone", Yaml.At(Cluster.Pod(zones), "topologySpreadConstraints[0].topologyKey"));
        Assert.Single(Yaml.List(Cluster.Pod(zones), "topologySpreadConstraints"));
        Assert.Null(Yaml.At(Cluster.Pod(_chart.Render("defaultTopologySpread: false")), "topologySpreadConstraints"));
    }

    [Fact]
    public void GpuPodsKeepTheCudaCacheOnAWritableVolume()
    {
        var rendered = _chart.Render(Scenarios.Gpu);
        var container = Cluster.Service(rendered);

        var path = (string)Cluster.Env(container)["CUDA_CACHE_PATH"]["value"]!;
        var mount = Assert.Single(Yaml.List(container, "volumeMounts").Cast<IDictionary<string, object?>>(), m => (string?)m["mountPath"] == path);
        Assert.NotEqual(true, Yaml.At(mount, "readOnly"));
        Assert.NotNull(Yaml.At(Yaml.Named(Yaml.List(Cluster.Pod(rendered), "volumes"), (string)mount["name"]!), "emptyDir"));
        Assert.DoesNotContain("CUDA_CACHE_PATH", Cluster.Env(Cluster.Service(_chart.Render())).Keys);
    }

    [Fact]
    public void GpuPodsGetMoreMemoryForTheCudaContext()
    {
        var cpu = Yaml.Map(Cluster.Service(_chart.Render()), "resources.limits")["memory"];
        var gpu = Yaml.Map(Cluster.Service(_chart.Render(Scenarios.Gpu)), "resources.limits")["memory"];

        Assert.Equal("2Gi", cpu);
        Assert.Equal(Yaml.At(_chart.DefaultValues(), "gpu.memoryLimit"), gpu);
        Assert.Equal("4Gi", gpu);
    }

    [Fact]
    public void MoreThanOneGpuIsRefusedBecauseTheServiceUsesOneDevice()
    {
        Cluster.Refused(_chart, Scenarios.Gpu + "\n  count: 2\n", "gpu.count");
        Assert.NotNull(_chart.Render(Scenarios.Gpu + "\n  count: 1\n"));
    }
}
