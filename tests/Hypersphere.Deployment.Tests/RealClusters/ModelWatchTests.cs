using Hypersphere.Deployment.Tests.Helm;

namespace Hypersphere.Deployment.Tests.RealClusters;

/// <summary>models.watch passes Hypersphere__ModelWatch (poll for NFS-like volumes written from other nodes).</summary>
public sealed class ModelWatchTests
{
    private readonly HelmChart _chart = HelmChart.Load();

    [Fact]
    public void TheWatchModeReachesTheServiceAsAnEnvironmentVariable()
    {
        var env = Cluster.Env(Cluster.Service(_chart.Render("models: {source: pvc, watch: poll}")));

        Assert.Equal("poll", env["Hypersphere__ModelWatch"]["value"]);
    }

    [Fact]
    public void UnsetItLeavesTheServiceItsOwnDefaultAndAnUnknownModeIsRefused()
    {
        Assert.DoesNotContain("Hypersphere__ModelWatch", Cluster.Env(Cluster.Service(_chart.Render())).Keys);
        Assert.Equal("inotify", Cluster.Env(Cluster.Service(_chart.Render("models: {watch: inotify}")))["Hypersphere__ModelWatch"]["value"]);
        Assert.Equal("off", Cluster.Env(Cluster.Service(_chart.Render("models: {watch: \"off\"}")))["Hypersphere__ModelWatch"]["value"]);
        Cluster.Refused(_chart, "models: {watch: false}", "models.watch");
        Cluster.Refused(_chart, "models: {watch: fanotify}", "models.watch");
    }
}
