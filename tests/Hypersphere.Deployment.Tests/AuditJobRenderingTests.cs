using System.Collections;
using Hypersphere.Deployment.Tests.Helm;

namespace Hypersphere.Deployment.Tests;

/// <summary>
/// The audit Job as rendered: an Indexed Job of audit.shards pods, pod i running shard i of k of the exact uniformity
/// on the claim's embeddings with the trainer image (which carries the CLI), off by default and refused without a claim.
/// </summary>
public sealed class AuditJobRenderingTests
{
    private const string Audit = """
        audit:
          enabled: true
          shards: 16
          claim: audit-data
          embeddings: runs/e.npy
          extraArgs: ["--t", "2"]
        """;

    private readonly HelmChart _chart = HelmChart.Load();

    [Fact]
    public void TheAuditJobIsOffByDefault() =>
        Assert.DoesNotContain(_chart.Render().Manifests, m => m.File.EndsWith("job-audit.yaml", StringComparison.Ordinal));

    [Fact]
    public void AnIndexedJobOfShardPodsRunsShardIndexOfKOnTheClaimsEmbeddingsWithTheTrainerImage()
    {
        var rendered = _chart.Render(Audit);
        var job = rendered.One("Job");
        Assert.Equal("Indexed", Yaml.At(job.Body, "spec.completionMode"));
        Assert.Equal(16L, Yaml.At(job.Body, "spec.completions"));
        Assert.Equal(16L, Yaml.At(job.Body, "spec.parallelism"));

        var pod = Yaml.Map(job.Body, "spec.template.spec");
        var shard = Yaml.Named(Yaml.List(pod, "containers"), "shard");
        Assert.EndsWith("-trainer", (string)shard["image"]!, StringComparison.Ordinal);
        Assert.Equal(
            ["quality", "--embeddings", "/audit/runs/e.npy", "--shard", "$(JOB_COMPLETION_INDEX)/16", "--partial", "/audit/partial-$(JOB_COMPLETION_INDEX).json", "--t", "2"],
            Yaml.List(shard, "args").Cast<object>().Select(a => (string)a));

        // $(VAR) in args expands only from the container's env: the index must be declared there, from the Job's annotation.
        var index = Yaml.Named(Yaml.List(shard, "env"), "JOB_COMPLETION_INDEX");
        Assert.Equal("metadata.annotations['batch.kubernetes.io/job-completion-index']", Yaml.At(index, "valueFrom.fieldRef.fieldPath"));

        var mount = Yaml.List(shard, "volumeMounts").Cast<IDictionary<string, object?>>().Single(m => (string?)m["name"] == "audit");
        Assert.Equal("/audit", mount["mountPath"]);
        Assert.NotEqual(true, mount.TryGetValue("readOnly", out var ro) ? ro : null); // partials are written there
        Assert.Equal("audit-data", Yaml.At(Yaml.Named(Yaml.List(pod, "volumes"), "audit"), "persistentVolumeClaim.claimName"));
        Assert.Equal("Never", pod["restartPolicy"]);
        Assert.Equal(true, Yaml.At(pod, "securityContext.runAsNonRoot"));

        var serviceSelector = Yaml.Map(rendered.One("Service").Body, "spec.selector");
        var labels = Yaml.Map(job.Body, "spec.template.metadata.labels");
        Assert.False(serviceSelector.All(l => labels.TryGetValue(l.Key, out var v) && Equals(v, l.Value)), "the Service would send traffic to the audit pods");
    }

    [Theory]
    [InlineData("audit: {enabled: true}", "audit.claim")]
    [InlineData("audit: {enabled: true, claim: c, shards: 0}", "audit.shards")]
    public void AnAuditWithoutAClaimOrShardsIsRefusedNamingTheSetting(string overrides, string setting)
    {
        var error = Assert.Throws<TemplateException>(() => _chart.Render(overrides));
        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }
}
