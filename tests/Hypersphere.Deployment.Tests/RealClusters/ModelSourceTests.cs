using System.Collections;
using Hypersphere.Deployment.Tests.Helm;

namespace Hypersphere.Deployment.Tests.RealClusters;

/// <summary>
/// Models come from the image (default), a claim any storage class can provision, mounted read-only, or a models
/// image copied by an init container into an emptyDir (no shared file system at all).
/// </summary>
public sealed class ModelSourceTests
{
    private readonly HelmChart _chart = HelmChart.Load();

    [Fact]
    public void ByDefaultTheModelsShippedInTheServiceImageServeWithNoVolume()
    {
        var rendered = _chart.Render();

        Assert.Equal("shipped", Yaml.At(rendered.Values, "models.source"));
        Assert.Empty(rendered.OfKind("PersistentVolumeClaim"));
        Assert.Null(Yaml.At(Cluster.Pod(rendered), "initContainers"));
        Assert.DoesNotContain(Yaml.List(Cluster.Pod(rendered), "volumes").Cast<IDictionary<string, object?>>(), v => (string?)v["name"] == "models");
    }

    [Fact]
    public void TheCreatedClaimAsksForAnAccessModeEveryStorageClassOffersAndIsMountedReadOnly()
    {
        var rendered = _chart.Render("models: {source: pvc}");

        Assert.Equal(["ReadWriteOnce"], Yaml.List(rendered.One("PersistentVolumeClaim").Body, "spec.accessModes").Cast<object>());
        var volume = Yaml.Named(Yaml.List(Cluster.Pod(rendered), "volumes"), "models");
        Assert.Equal(true, Yaml.At(volume, "persistentVolumeClaim.readOnly"));
        Assert.Equal(true, Yaml.Named(Yaml.List(Cluster.Service(rendered), "volumeMounts"), "models")["readOnly"]);
    }

    [Fact]
    public void ReadOnlyManyCanBeAskedFor()
    {
        var rendered = _chart.Render("models: {source: pvc, persistence: {accessModes: [ReadOnlyMany]}}");

        Assert.Equal(["ReadOnlyMany"], Yaml.List(rendered.One("PersistentVolumeClaim").Body, "spec.accessModes").Cast<object>());
    }

    [Fact]
    public void AModelsImageIsCopiedByAnInitContainerIntoAnEmptyDirTheServiceReadsReadOnly()
    {
        var rendered = _chart.Render("models: {source: image, image: {repository: registry.example.com/fmnist-models, tag: \"3\"}}");
        var pod = Cluster.Pod(rendered);

        Assert.Empty(rendered.OfKind("PersistentVolumeClaim"));
        var copy = Yaml.Named(Yaml.List(pod, "initContainers"), "models");
        Assert.Equal("registry.example.com/fmnist-models:3", copy["image"]);
        var command = string.Join(" ", ((IList)copy["command"]!).Cast<object>());
        Assert.Contains("/models/.", command, StringComparison.Ordinal);
        var target = Yaml.Named(Yaml.List(copy, "volumeMounts"), "models");
        Assert.Contains((string)target["mountPath"]!, command, StringComparison.Ordinal);
        Assert.NotEqual(true, Yaml.At(target, "readOnly"));
        Assert.Equal(true, Yaml.At(copy, "securityContext.readOnlyRootFilesystem"));

        Assert.NotNull(Yaml.At(Yaml.Named(Yaml.List(pod, "volumes"), "models"), "emptyDir"));
        var mount = Yaml.Named(Yaml.List(Cluster.Service(rendered), "volumeMounts"), "models");
        Assert.Equal(true, mount["readOnly"]);
        Assert.Equal(Yaml.At(rendered.One("ConfigMap").Body, "data.Hypersphere__ModelsPath"), mount["mountPath"]);
    }

    [Fact]
    public void AModelsImageWithoutARepositoryOrAnUnknownSourceIsRefused()
    {
        Cluster.Refused(_chart, "models: {source: image}", "models.image.repository");
        Cluster.Refused(_chart, "models: {source: nfs}", "models.source");
    }

    [Fact]
    public void TheTrainerWritesIntoTheClaimOnlyWhenTheServiceReadsOne()
    {
        var withClaim = _chart.Render("models: {source: pvc}\ntrainer: {enabled: true}");
        var fromImage = _chart.Render("models: {source: image, image: {repository: m}}\ntrainer: {enabled: true}");

        Assert.NotNull(Yaml.At(Yaml.Named(Yaml.List(Yaml.Map(withClaim.One("Job").Body, "spec.template.spec"), "volumes"), "models"), "persistentVolumeClaim"));
        Assert.NotNull(Yaml.At(Yaml.Named(Yaml.List(Yaml.Map(fromImage.One("Job").Body, "spec.template.spec"), "volumes"), "models"), "emptyDir"));
    }
}
