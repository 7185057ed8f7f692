using System.Collections;
using System.Text;
using Hypersphere.Deployment.Tests.Helm;

namespace Hypersphere.Deployment.Tests;

/// <summary>
/// The chart rendered with its defaults, with the GPU switch and with every option on: which objects appear, and
/// that they fit together (selectors, names, ports, volumes, keys).
/// </summary>
public sealed class ChartRenderingTests
{
    private static readonly string[] AlwaysRendered = ["Deployment", "Service", "ConfigMap"];
    private readonly HelmChart _chart = HelmChart.Load();

    [Fact]
    public void DefaultsRenderACpuDeploymentWithItsServiceSettingsAndBudgetOnly()
    {
        var rendered = _chart.Render();

        Assert.Equal(["ConfigMap", "Deployment", "PodDisruptionBudget", "Service"], rendered.Manifests.Select(m => m.Kind).Order(StringComparer.Ordinal));
        var pod = PodSpec(rendered.One("Deployment"));
        var container = Yaml.Named(Yaml.List(pod, "containers"), "service");
        Assert.Equal($"hypersphere:{_chart.ChartYaml["appVersion"]}-cpu", container["image"]);
        Assert.Equal(2L, Yaml.At(rendered.One("Deployment").Body, "spec.replicas"));
        Assert.DoesNotContain("nvidia.com/gpu", Yaml.Map(container, "resources.limits").Keys);
        Assert.Null(Yaml.At(pod, "tolerations"));
        Assert.Null(Yaml.At(pod, "nodeSelector"));
        Assert.Equal("cpu", Yaml.At(rendered.One("ConfigMap").Body, "data.Hypersphere__ExecutionProvider"));
    }

    [Fact]
    public void TheGpuSwitchAloneSetsImageGpuLimitTolerationsAndProvider()
    {
        var cpu = _chart.Render();
        var gpu = _chart.Render(Scenarios.Gpu);

        var pod = PodSpec(gpu.One("Deployment"));
        var container = Yaml.Named(Yaml.List(pod, "containers"), "service");
        Assert.EndsWith("-gpu", (string)container["image"]!, StringComparison.Ordinal);
        Assert.Equal(1L, Yaml.Map(container, "resources.limits")["nvidia.com/gpu"]);
        Assert.Null(Yaml.At(pod, "nodeSelector")); // the GPU limit places the pod; no GPU Feature Discovery label is required
        Assert.Contains(Yaml.List(pod, "tolerations").Cast<IDictionary<string, object?>>(), t => (string?)t["key"] == "nvidia.com/gpu");
        Assert.Equal("cuda", Yaml.At(gpu.One("ConfigMap").Body, "data.Hypersphere__ExecutionProvider"));

        // Nothing else of the pod changes with the switch (the config checksum follows the provider setting).
        var changed = Differences(cpu.One("Deployment").Body, gpu.One("Deployment").Body).ToList();
        Assert.All(changed, path => Assert.True(
            path.Contains(".image", StringComparison.Ordinal) || path.Contains("resources.limits", StringComparison.Ordinal)
            || path.Contains("nodeSelector", StringComparison.Ordinal) || path.Contains("tolerations", StringComparison.Ordinal)
            || path.Contains("checksum/config", StringComparison.Ordinal) || path.StartsWith(".spec.strategy", StringComparison.Ordinal)
            || path.EndsWith(".env", StringComparison.Ordinal) || path.Contains("volume", StringComparison.OrdinalIgnoreCase),
            $"gpu.enabled also changed {path}"));
        Assert.Contains(changed, p => p.Contains("checksum/config", StringComparison.Ordinal));
    }

    [Fact]
    public void ThePodRunsAsTheImagesNonRootUserOnAReadOnlyRootWithAWritableTmp()
    {
        var pod = PodSpec(_chart.Render().One("Deployment"));
        var container = Yaml.Named(Yaml.List(pod, "containers"), "service");

        Assert.Equal(true, Yaml.At(pod, "securityContext.runAsNonRoot"));
        Assert.Equal(1654L, Yaml.At(pod, "securityContext.runAsUser"));
        Assert.Equal(true, Yaml.At(container, "securityContext.readOnlyRootFilesystem"));
        Assert.Equal(false, Yaml.At(container, "securityContext.allowPrivilegeEscalation"));
        Assert.Equal(["ALL"], Yaml.List(container, "securityContext.capabilities.drop").Cast<object>());
        var tmp = Yaml.Named(Yaml.List(container, "volumeMounts"), "tmp");
        Assert.Equal("/tmp", tmp["mountPath"]);
        Assert.NotNull(Yaml.At(Yaml.Named(Yaml.List(pod, "volumes"), "tmp"), "emptyDir"));
        Assert.Equal(false, pod["automountServiceAccountToken"]);
    }

    [Fact]
    public void ProbesUseTheNamedHttpPortAndTheHealthRoutes()
    {
        var container = Yaml.Named(Yaml.List(PodSpec(_chart.Render().One("Deployment")), "containers"), "service");

        Assert.Equal("/healthz/live", Yaml.At(container, "startupProbe.httpGet.path"));
        Assert.Equal("/healthz/ready", Yaml.At(container, "readinessProbe.httpGet.path"));
        Assert.Equal("/healthz/live", Yaml.At(container, "livenessProbe.httpGet.path"));
        foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
        {
            Assert.Equal("http", Yaml.At(container, $"{probe}.httpGet.port"));
        }

        Assert.Equal(8080L, Yaml.Named(Yaml.List(container, "ports"), "http")["containerPort"]);
    }

    [Fact]
    public void TheServiceAndTheBudgetSelectExactlyTheDeploymentsPods()
    {
        var rendered = _chart.Render();
        var podLabels = Yaml.Map(rendered.One("Deployment").Body, "spec.template.metadata.labels");
        var selector = Yaml.Map(rendered.One("Deployment").Body, "spec.selector.matchLabels");

        Assert.Equal(selector, Yaml.Map(rendered.One("Service").Body, "spec.selector"));
        Assert.Equal(selector, Yaml.Map(rendered.One("PodDisruptionBudget").Body, "spec.selector.matchLabels"));
        Assert.All(selector, l => Assert.Equal(l.Value, podLabels[l.Key]));
        Assert.Equal("http", Yaml.At(rendered.One("Service").Body, "spec.ports[0].targetPort"));
    }

    [Fact]
    public void EveryOptionOnRendersEveryTemplateIntoObjectsThatReferToEachOther()
    {
        var rendered = _chart.Render(Scenarios.Everything);

        var rendering = _chart.TemplateFiles.Where(f => !f.StartsWith('_') && f != "NOTES.txt").ToList();
        Assert.All(rendering, file => Assert.Contains(rendered.Manifests, m => m.File == file));
        Assert.All(rendered.Manifests, m =>
        {
            Assert.False(string.IsNullOrEmpty(m.Name), $"{m.File}: no metadata.name");
            Assert.True(m.Name.Length <= 63, $"{m.File}: name {m.Name} is longer than 63");
            Assert.Equal(HelmChart.ReleaseName, Yaml.Map(m.Body, "metadata.labels")["app.kubernetes.io/instance"]);
        });

        var deployment = rendered.One("Deployment");
        var pod = PodSpec(deployment);
        var container = Yaml.Named(Yaml.List(pod, "containers"), "service");

        // The HPA owns the replica count and scales this Deployment on CPU and the queue depth.
        Assert.Null(Yaml.At(deployment.Body, "spec.replicas"));
        var hpa = rendered.One("HorizontalPodAutoscaler");
        Assert.Equal(deployment.Name, Yaml.At(hpa.Body, "spec.scaleTargetRef.name"));
        Assert.Equal("cpu", Yaml.At(hpa.Body, "spec.metrics[0].resource.name"));
        Assert.Equal("hypersphere_queue_depth", Yaml.At(hpa.Body, "spec.metrics[1].pods.metric.name"));

        // GPU settings merge with the user's scheduling settings.
        Assert.Equal("inference", Yaml.Map(pod, "nodeSelector")["pool"]);
        Assert.Equal("true", Yaml.Map(pod, "nodeSelector")["nvidia.com/gpu.present"]);
        Assert.Equal(2, Yaml.List(pod, "tolerations").Count);
        Assert.Equal("nvidia", pod["runtimeClassName"]);
        Assert.Equal("vision", Yaml.Map(deployment.Body, "spec.template.metadata.annotations")["team"]);
        Assert.Equal("regcred", Yaml.At(pod, "imagePullSecrets[0].name"));
        Assert.Equal("1", Yaml.At(Yaml.Named(Yaml.List(container, "env"), "DOTNET_gcServer"), "value"));

        // Keys: a Secret of Hypersphere__ApiKeys__<i> the container loads.
        var secret = rendered.One("Secret");
        var data = Yaml.Map(secret.Body, "data");
        Assert.Equal(["Hypersphere__AdminKeys__0", "Hypersphere__ApiKeys__0", "Hypersphere__ApiKeys__1"], data.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("key-two", Encoding.UTF8.GetString(Convert.FromBase64String((string)data["Hypersphere__ApiKeys__1"]!)));
        Assert.Contains(Yaml.List(container, "envFrom").Cast<IDictionary<string, object?>>(), e => (string?)Yaml.At(e, "secretRef.name") == secret.Name);
        Assert.Contains(Yaml.List(container, "envFrom").Cast<IDictionary<string, object?>>(), e => (string?)Yaml.At(e, "configMapRef.name") == rendered.One("ConfigMap", "configmap.yaml").Name);

        // Models from the claim, read-only, where the service looks for them.
        var claim = rendered.One("PersistentVolumeClaim");
        Assert.Equal(claim.Name, Yaml.At(Yaml.Named(Yaml.List(pod, "volumes"), "models"), "persistentVolumeClaim.claimName"));
        var models = Yaml.Named(Yaml.List(container, "volumeMounts"), "models");
        Assert.Equal(true, models["readOnly"]);
        Assert.Equal(Yaml.At(rendered.One("ConfigMap", "configmap.yaml").Body, "data.Hypersphere__ModelsPath"), models["mountPath"]);

        // Monitoring selects the Service's port by name.
        var monitor = rendered.One("ServiceMonitor");
        Assert.Equal("kube-prometheus-stack", Yaml.Map(monitor.Body, "metadata.labels")["release"]);
        var serviceLabels = Yaml.Map(rendered.One("Service").Body, "metadata.labels");
        Assert.All(Yaml.Map(monitor.Body, "spec.selector.matchLabels"), l => Assert.Equal(l.Value, serviceLabels[l.Key]));
        Assert.Equal(Yaml.At(rendered.One("Service").Body, "spec.ports[0].name"), Yaml.At(monitor.Body, "spec.endpoints[0].port"));

        // The network policy opens the HTTP port to the given peers and closes egress but DNS.
        var policy = rendered.One("NetworkPolicy");
        Assert.Equal(Yaml.Map(deployment.Body, "spec.selector.matchLabels"), Yaml.Map(policy.Body, "spec.podSelector.matchLabels"));
        Assert.Equal("http", Yaml.At(policy.Body, "spec.ingress[0].ports[0].port"));
        Assert.Equal("gateway", Yaml.Map(policy.Body, "spec.ingress[0].from[0].namespaceSelector.matchLabels")["kubernetes.io/metadata.name"]);
        Assert.All(Yaml.List(policy.Body, "spec.egress[0].ports").Cast<IDictionary<string, object?>>(), p => Assert.Equal(53L, p["port"]));
    }

    [Fact]
    public void TheAlertsWatchThe5xxRateOfTheApiAndTheDeploymentsReadiness()
    {
        var rendered = _chart.Render(Scenarios.Everything);
        var rules = Yaml.List(rendered.One("PrometheusRule").Body, "spec.groups[0].rules").Cast<IDictionary<string, object?>>().ToList();
        var deployment = rendered.One("Deployment").Name;

        var errors = Assert.Single(rules, r => (string?)r["alert"] == "HypersphereHighErrorRate");
        Assert.Contains("status=~\"5..\"", (string)errors["expr"]!, StringComparison.Ordinal);
        Assert.Contains("> 0.05", (string)errors["expr"]!, StringComparison.Ordinal);
        var notReady = Assert.Single(rules, r => (string?)r["alert"] == "HypersphereNotReady");
        Assert.Contains($"deployment=\"{deployment}\"", (string)notReady["expr"]!, StringComparison.Ordinal);
        Assert.Contains("replicas_unavailable", (string)notReady["expr"]!, StringComparison.Ordinal);
        Assert.Contains(rules, r => (string?)r["alert"] == "HypersphereDown" && Yaml.At(r, "labels.severity") as string == "critical");
    }

    [Fact]
    public void TheTrainerJobRunsTrainThenExportIntoTheModelsClaimAwayFromTheService()
    {
        var rendered = _chart.Render(Scenarios.Everything);
        var job = rendered.One("Job", "job-trainer.yaml");
        var pod = Yaml.Map(job.Body, "spec.template.spec");

        var train = Yaml.Named(Yaml.List(pod, "initContainers"), "train");
        var export = Yaml.Named(Yaml.List(pod, "containers"), "export");
        Assert.Equal("train", Yaml.At(train, "args[0]"));
        Assert.Equal("export", Yaml.At(export, "args[0]"));
        Assert.Contains("10", Yaml.List(train, "args").Cast<object>()); // numbers stay strings, as args must be
        Assert.EndsWith("-trainer", (string)train["image"]!, StringComparison.Ordinal);
        Assert.Equal("Never", pod["restartPolicy"]);
        Assert.Equal(true, Yaml.At(pod, "securityContext.runAsNonRoot"));
        var mounts = Yaml.List(export, "volumeMounts").Cast<IDictionary<string, object?>>().ToList();
        Assert.Contains(mounts, m => (string?)m["name"] == "models" && (string?)m["mountPath"] == "/workspace/models");
        Assert.Contains(mounts, m => (string?)m["name"] == "data" && Equals(m["readOnly"], true));
        Assert.Equal(rendered.One("PersistentVolumeClaim").Name, Yaml.At(Yaml.Named(Yaml.List(pod, "volumes"), "models"), "persistentVolumeClaim.claimName"));
        Assert.StartsWith("/workspace/models/", (string)Yaml.List(export, "args").Cast<object>().Last(), StringComparison.Ordinal);

        var serviceSelector = Yaml.Map(rendered.One("Service").Body, "spec.selector");
        var jobLabels = Yaml.Map(job.Body, "spec.template.metadata.labels");
        Assert.False(serviceSelector.All(l => jobLabels.TryGetValue(l.Key, out var v) && Equals(v, l.Value)), "the Service would send traffic to the trainer");
    }

    [Fact]
    public void ExistingSecretAndClaimAreUsedInsteadOfCreatedOnes()
    {
        var rendered = _chart.Render("""
            auth: {existingSecret: hypersphere-keys}
            models: {persistence: {enabled: true, existingClaim: shared-models}}
            """);

        Assert.Empty(rendered.OfKind("Secret"));
        Assert.Empty(rendered.OfKind("PersistentVolumeClaim"));
        var pod = PodSpec(rendered.One("Deployment"));
        var container = Yaml.Named(Yaml.List(pod, "containers"), "service");
        Assert.Contains(Yaml.List(container, "envFrom").Cast<IDictionary<string, object?>>(), e => (string?)Yaml.At(e, "secretRef.name") == "hypersphere-keys");
        Assert.Equal("shared-models", Yaml.At(Yaml.Named(Yaml.List(pod, "volumes"), "models"), "persistentVolumeClaim.claimName"));
    }

    [Fact]
    public void ASinglePodGetsNoDisruptionBudgetThatWouldBlockDrains()
    {
        Assert.Empty(_chart.Render("replicaCount: 1").OfKind("PodDisruptionBudget"));
        Assert.Single(_chart.Render("replicaCount: 1\nautoscaling: {enabled: true}").OfKind("PodDisruptionBudget"));
    }

    [Fact]
    public void ChangingASettingOrAKeyRollsThePods()
    {
        static object? Checksum(RenderedChart chart, string name) => Yaml.Map(chart.One("Deployment").Body, "spec.template.metadata.annotations")[name];
        var defaults = _chart.Render();

        Assert.Equal(Checksum(defaults, "checksum/config"), Checksum(_chart.Render(), "checksum/config"));
        Assert.NotEqual(Checksum(defaults, "checksum/config"), Checksum(_chart.Render("settings: {MaxQueue: 4096}"), "checksum/config"));
        Assert.NotEqual(Checksum(defaults, "checksum/secret"), Checksum(_chart.Render("auth: {apiKeys: [k]}"), "checksum/secret"));
    }

    [Fact]
    public void NotesNameTheObjectsAndTheProbes()
    {
        var rendered = _chart.Render(Scenarios.Everything);

        Assert.Contains($"deployment/{rendered.One("Deployment").Name}", rendered.Notes, StringComparison.Ordinal);
        Assert.All(rendered.OfKind("Job"), job => Assert.Contains(job.Name, rendered.Notes, StringComparison.Ordinal));
        Assert.Contains("/healthz/ready", rendered.Notes, StringComparison.Ordinal);
        Assert.DoesNotContain("map[", rendered.Notes, StringComparison.Ordinal);
    }

    internal static IDictionary<string, object?> PodSpec(Manifest deployment) => Yaml.Map(deployment.Body, "spec.template.spec");

    // Paths whose values differ between two parsed objects.
    private static IEnumerable<string> Differences(object? a, object? b, string path = "")
    {
        switch (a, b)
        {
            case (IDictionary<string, object?> x, IDictionary<string, object?> y):
                foreach (var key in x.Keys.Union(y.Keys))
                {
                    foreach (var d in Differences(x.TryGetValue(key, out var xv) ? xv : null, y.TryGetValue(key, out var yv) ? yv : null, $"{path}.{key}"))
                    {
                        yield return d;
                    }
                }

                break;
            case (IList x, IList y) when x.Count == y.Count:
                for (var i = 0; i < x.Count; i++)
                {
                    foreach (var d in Differences(x[i], y[i], $"{path}[{i}]"))
                    {
                        yield return d;
                    }
                }

                break;
            default:
                if (!Equals(a, b))
                {
                    yield return path;
                }

                break;
        }
    }
}
