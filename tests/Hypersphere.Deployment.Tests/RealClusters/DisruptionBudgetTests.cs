using Hypersphere.Deployment.Tests.Helm;

namespace Hypersphere.Deployment.Tests.RealClusters;

/// <summary>A budget exists only when more than one pod can run, and never holds a drain up for pods that are not ready.</summary>
public sealed class DisruptionBudgetTests
{
    private readonly HelmChart _chart = HelmChart.Load();

    [Fact]
    public void AnAutoscalerThatMayScaleToOnePodGetsNoBudget()
    {
        Assert.Empty(_chart.Render("autoscaling: {enabled: true, minReplicas: 1}").OfKind("PodDisruptionBudget"));
        Assert.Single(_chart.Render("replicaCount: 1\nautoscaling: {enabled: true, minReplicas: 2}").OfKind("PodDisruptionBudget"));
        Assert.Empty(_chart.Render("replicaCount: 1").OfKind("PodDisruptionBudget"));
    }

    [Fact]
    public void UnhealthyPodsMayAlwaysBeEvicted()
    {
        Assert.Equal("AlwaysAllow", Yaml.At(_chart.Render().One("PodDisruptionBudget").Body, "spec.unhealthyPodEvictionPolicy"));
    }
}
