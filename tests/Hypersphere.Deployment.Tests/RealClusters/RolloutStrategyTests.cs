using Hypersphere.Deployment.Tests.Helm;

namespace Hypersphere.Deployment.Tests.RealClusters;

/// <summary>
/// A GPU rollout replaces pods in place (no surge pod that would wait for a free GPU forever); a CPU rollout
/// surges and keeps every pod serving; values can set any strategy.
/// </summary>
public sealed class RolloutStrategyTests
{
    private readonly HelmChart _chart = HelmChart.Load();

    [Fact]
    public void GpuPodsRollWithoutASurgePodOneAtATime()
    {
        var strategy = Yaml.Map(_chart.Render(Scenarios.Gpu).One("Deployment").Body, "spec.strategy");

        Assert.Equal("RollingUpdate", strategy["type"]);
        Assert.Equal(0L, Yaml.At(strategy, "rollingUpdate.maxSurge"));
        Assert.Equal(1L, Yaml.At(strategy, "rollingUpdate.maxUnavailable"));
    }

    [Fact]
    public void CpuPodsSurgeAndKeepEveryPodServing()
    {
        var strategy = Yaml.Map(_chart.Render().One("Deployment").Body, "spec.strategy");

        Assert.Equal("RollingUpdate", strategy["type"]);
        Assert.NotEqual(0L, Yaml.At(strategy, "rollingUpdate.maxSurge"));
        Assert.NotNull(Yaml.At(strategy, "rollingUpdate.maxSurge"));
        Assert.Equal(0L, Yaml.At(strategy, "rollingUpdate.maxUnavailable"));
    }

    [Fact]
    public void ValuesReplaceTheStrategy()
    {
        var rendered = _chart.Render(Scenarios.Gpu + "\nstrategy: {type: Recreate}\n");

        var strategy = Yaml.Map(rendered.One("Deployment").Body, "spec.strategy");
        Assert.Equal("Recreate", Assert.Single(strategy).Value);
    }
}
