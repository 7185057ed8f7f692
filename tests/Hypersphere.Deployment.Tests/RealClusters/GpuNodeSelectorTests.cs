using Hypersphere.Deployment.Tests.Helm;

namespace Hypersphere.Deployment.Tests.RealClusters;

/// <summary>GPU pods schedule by their nvidia.com/gpu limit alone: no GPU Feature Discovery label is required by default.</summary>
public sealed class GpuNodeSelectorTests
{
    private readonly HelmChart _chart = HelmChart.Load();

    [Fact]
    public void GpuPodsNeedNoNodeLabelByDefaultOnlyTheGpuLimit()
    {
        var rendered = _chart.Render(Scenarios.Gpu);

        Assert.Null(Yaml.At(Cluster.Pod(rendered), "nodeSelector"));
        Assert.Equal(1L, Yaml.Map(Cluster.Service(rendered), "resources.limits")["nvidia.com/gpu"]);
    }

    [Fact]
    public void AGpuFeatureDiscoveryLabelCanStillBeRequired()
    {
        var rendered = _chart.Render(Scenarios.Gpu + "\n  nodeSelector: {nvidia.com/gpu.present: \"true\"}\nnodeSelector: {pool: inference}\n");

        var selector = Yaml.Map(Cluster.Pod(rendered), "nodeSelector");
        Assert.Equal("true", selector["nvidia.com/gpu.present"]);
        Assert.Equal("inference", selector["pool"]);
    }
}
