using System.Text.Json.Nodes;

namespace Hypersphere.Deployment.Tests;

/// <summary>
/// ONNX Runtime comes from the Linux half of its GPU package: the meta package Microsoft.ML.OnnxRuntime.Gpu would
/// also restore ~361 MB of Windows natives (Microsoft.ML.OnnxRuntime.Gpu.Windows) on every fresh machine.
/// </summary>
public sealed class OnnxRuntimePackageTests
{
    [Fact]
    public void TheServiceGetsOnlyTheLinuxGpuPackageAndTheManagedApiItBrings()
    {
        // These tests reference the service, so their deps file lists the packages its restore resolved.
        var deps = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Hypersphere.Deployment.Tests.deps.json")))!;

        var packages = deps["libraries"]!.AsObject()
            .Where(l => (string?)l.Value!["type"] == "package")
            .Select(l => l.Key.Split('/')[0])
            .Where(p => p.StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

        Assert.Equal(["Microsoft.ML.OnnxRuntime.Gpu.Linux", "Microsoft.ML.OnnxRuntime.Managed"], packages);
    }
}
