using System.Collections;
using Hypersphere.Deployment.Tests.Helm;

namespace Hypersphere.Deployment.Tests.RealClusters;

/// <summary>The trainer Job can ask for a GPU and a RuntimeClass; by default it asks for neither.</summary>
public sealed class TrainerJobTests
{
    private readonly HelmChart _chart = HelmChart.Load();

    [Fact]
    public void EveryStepGetsTheGpuLimitAndThePodTheRuntimeClass()
    {
        var job = _chart.Render("trainer: {enabled: true, gpu: {count: 1}, runtimeClassName: nvidia}").One("Job");
        var pod = Yaml.Map(job.Body, "spec.template.spec");

        Assert.Equal("nvidia", pod["runtimeClassName"]);
        var steps = Yaml.List(pod, "initContainers").Cast<IDictionary<string, object?>>().Concat(Yaml.List(pod, "containers").Cast<IDictionary<string, object?>>()).ToList();
        Assert.Equal(2, steps.Count);
        Assert.All(steps, s => Assert.Equal(1L, Yaml.Map(s, "resources.limits")["nvidia.com/gpu"]));
    }

    [Fact]
    public void ByDefaultTheJobAsksForNoGpuAndNoRuntimeClass()
    {
        var pod = Yaml.Map(_chart.Render("trainer: {enabled: true}").One("Job").Body, "spec.template.spec");

        Assert.Null(Yaml.At(pod, "runtimeClassName"));
        Assert.DoesNotContain("nvidia.com/gpu", Yaml.Map(pod, "containers[0].resources.limits").Keys);
    }
}
