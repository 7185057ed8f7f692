using Hypersphere.Deployment.Tests.Helm;

namespace Hypersphere.Deployment.Tests.RealClusters;

/// <summary>What the "chart on real clusters" tests (issue #12) read off a rendered chart.</summary>
internal static class Cluster
{
    public static IDictionary<string, object?> Pod(RenderedChart rendered) => ChartRenderingTests.PodSpec(rendered.One("Deployment"));

    public static IDictionary<string, object?> Service(RenderedChart rendered) => Yaml.Named(Yaml.List(Pod(rendered), "containers"), "service");

    /// <summary>The container's env entries by name (empty when it has none).</summary>
    public static Dictionary<string, IDictionary<string, object?>> Env(IDictionary<string, object?> container) =>
        (Yaml.At(container, "env") as System.Collections.IList ?? new List<object?>())
            .Cast<IDictionary<string, object?>>()
            .ToDictionary(e => (string)e["name"]!, StringComparer.Ordinal);

    /// <summary>Rendering fails (Helm's <c>fail</c>) with a message containing <paramref name="words"/>.</summary>
    public static void Refused(HelmChart chart, string overrides, string words)
    {
        var error = Assert.Throws<TemplateException>(() => chart.Render(overrides));
        Assert.Contains(words, error.Message, StringComparison.Ordinal);
    }
}
