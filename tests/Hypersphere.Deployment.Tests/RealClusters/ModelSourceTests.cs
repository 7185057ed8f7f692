using System.Collections;
using Hypersphere.Deployment.Tests.Helm;

namespace Hypersphere.Deployment.Tests.RealClusters;

/// <summary>
/// Models come from the image (default), a claim any storage class can provision, mounted read-only, or a models
/// image copied by an init container into an emptyDir (no shared file system at all).
/// </summary>
public sealed class ModelSourceTests
{
    private const string Sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    private readonly HelmChart _chart = HelmChart.Load();

    // The init container's shell script (its one argument after sh -c).
    private static string Script(RenderedChart rendered)
    {
        var download = Yaml.Named(Yaml.List(Cluster.Pod(rendered), "initContainers"), "models");
        Assert.Equal(["/bin/sh", "-c"], ((IList)download["command"]!).Cast<object>());
        return (string)Assert.Single(((IList)download["args"]!).Cast<object>());
    }

    // The script as the init container runs it, with the emptyDir's mount point moved to a temp folder.
    private static Processes.Result RunScript(string script, string target, string url, string sha) =>
        Processes.Run(
            "/bin/sh",
            ["-c", script.Replace("/hypersphere-models", target, StringComparison.Ordinal)],
            target,
            TimeSpan.FromMinutes(1),
            new Dictionary<string, string?> { ["MODELS_URL"] = url, ["MODELS_SHA256"] = sha });

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
    public void AModelsUrlIsDownloadedByTheServiceImageIntoAnEmptyDirTheServiceReadsReadOnly()
    {
        var rendered = _chart.Render($"models: {{source: url, url: \"https://models.example.com/fmnist.tar.gz\", sha256: {Sha}}}");
        var pod = Cluster.Pod(rendered);

        Assert.Empty(rendered.OfKind("PersistentVolumeClaim"));
        var download = Yaml.Named(Yaml.List(pod, "initContainers"), "models");
        Assert.Equal(Cluster.Service(rendered)["image"], download["image"]); // the service image: no other pull
        var env = Cluster.Env(download);
        Assert.Equal("https://models.example.com/fmnist.tar.gz", env["MODELS_URL"]["value"]);
        Assert.Equal(Sha, env["MODELS_SHA256"]["value"]);
        var target = Yaml.Named(Yaml.List(download, "volumeMounts"), "models");
        Assert.Contains((string)target["mountPath"]!, Script(rendered), StringComparison.Ordinal);
        Assert.Equal(true, Yaml.At(download, "securityContext.readOnlyRootFilesystem"));

        Assert.NotNull(Yaml.At(Yaml.Named(Yaml.List(pod, "volumes"), "models"), "emptyDir"));
        var mount = Yaml.Named(Yaml.List(Cluster.Service(rendered), "volumeMounts"), "models");
        Assert.Equal(true, mount["readOnly"]);
        Assert.Equal(Yaml.At(rendered.One("ConfigMap").Body, "data.Hypersphere__ModelsPath"), mount["mountPath"]);
    }

    [Fact]
    public void AModelsUrlWithoutAUrlOrAFullSha256IsRefused()
    {
        Cluster.Refused(_chart, $"models: {{source: url, sha256: {Sha}}}", "models.url");
        Cluster.Refused(_chart, "models: {source: url, url: \"https://m.example.com/m.tar.gz\"}", "models.sha256");
        Cluster.Refused(_chart, "models: {source: url, url: \"https://m.example.com/m.tar.gz\", sha256: abc123}", "models.sha256");
        Cluster.Refused(_chart, $"models: {{source: url, url: \"https://m.example.com/m.tar.gz\", sha256: {Sha}, persistence: {{enabled: true}}}}", "models.persistence.enabled");
    }

    [Fact]
    public void TheDownloadScriptUnpacksAnArchiveWhoseSha256MatchesAndRefusesOneThatDoesNot()
    {
        using var temp = new TempFolder();
        var source = temp.Folder("source");
        Directory.CreateDirectory(Path.Combine(source, "toy", "1"));
        File.WriteAllText(Path.Combine(source, "toy", "1", "model.json"), "{\"name\": \"toy\"}");
        File.WriteAllBytes(Path.Combine(source, "toy", "1", "model.onnx"), [8, 1, 2, 3]);
        var archive = Path.Combine(temp.Path, "models.tar.gz");
        using (var gzip = new System.IO.Compression.GZipStream(File.Create(archive), System.IO.Compression.CompressionLevel.Fastest))
        {
            System.Formats.Tar.TarFile.CreateFromDirectory(source, gzip, includeBaseDirectory: false);
        }

        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(archive)));
        var script = Script(_chart.Render($"models: {{source: url, url: \"https://m.example.com/m.tar.gz\", sha256: {sha}}}"));

        var good = temp.Folder("good");
        var run = RunScript(script, good, "file://" + archive, sha);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal([8, 1, 2, 3], File.ReadAllBytes(Path.Combine(good, "toy", "1", "model.onnx")));
        Assert.Equal(["toy"], Directory.EnumerateFileSystemEntries(good).Select(Path.GetFileName)); // the archive is gone

        var bad = temp.Folder("bad");
        var refused = RunScript(script, bad, "file://" + archive, new string('0', 64));
        Assert.NotEqual(0, refused.ExitCode);
        Assert.False(Directory.Exists(Path.Combine(bad, "toy")), "a download whose sha256 does not match must not be unpacked");
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
