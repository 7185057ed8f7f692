using System.Globalization;
using System.Text.Json.Nodes;
using Hypersphere.Inference;
using Hypersphere.Service.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Hypersphere.Service.Tests;

/// <summary>
/// The documented NumPy audit (docs/auditing.md): <c>np.save</c> the embeddings, positives and labels, then exactly
/// <c>curl -H 'Accept: text/html' -F embeddings=@x.npy -F positives=@y.npy -F labels=@labels.npy … -o report.html</c>
/// and the same without the header, against the real app on a real Kestrel port. NumPy computes the paper's
/// alignment and uniformity itself, so the service's numbers are checked against an implementation not ours, and
/// the saved report carries those numbers.
/// </summary>
public sealed class NumpyFormClientTests : IDisposable
{
    private const string Client = """
        import json, subprocess, sys
        import numpy as np
        url, folder = sys.argv[1], sys.argv[2]
        rng = np.random.default_rng(7)
        x = rng.normal(size=(300, 16)); x /= np.linalg.norm(x, axis=1, keepdims=True)
        y = x + 0.3 * rng.normal(size=x.shape); y /= np.linalg.norm(y, axis=1, keepdims=True)
        labels = rng.integers(0, 4, size=300)
        np.save(f"{folder}/x.npy", x.astype(np.float32)); np.save(f"{folder}/y.npy", y); np.save(f"{folder}/labels.npy", labels)
        x32 = x.astype(np.float32).astype(np.float64)
        alignment = float(np.mean(np.sum((x32 - y) ** 2, axis=1)))
        sq = np.sum((x32[:, None, :] - x32[None, :, :]) ** 2, axis=-1)
        i, j = np.triu_indices(300, k=1)
        uniformity = float(np.log(np.mean(np.exp(-2 * sq[i, j]))))
        form = ["-F", "embeddings=@x.npy", "-F", "positives=@y.npy", "-F", "labels=@labels.npy", url + "/v1/quality"]
        html = subprocess.run(["curl", "-sS", "-f", "-H", "Accept: text/html", *form, "-o", "report.html"], cwd=folder, check=True)
        answer = subprocess.run(["curl", "-sS", "-f", *form], cwd=folder, check=True, capture_output=True)
        print(json.dumps({"numpy": {"alignment": alignment, "uniformity": uniformity}, "service": json.loads(answer.stdout)}))
        """;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [SkippableFact]
    public async Task TheDocumentedCurlFormGivesNumpysNumbersAndAReportWithThem()
    {
        var root = Path.Combine(Repository.Root, "models");
        Skip.IfNot(Directory.Exists(root) && new ModelRepository(root).Scan().Count > 0, "no shipped model under models/");
        await using var factory = new ServiceFactory(root, new Dictionary<string, string?> { ["Hypersphere:ExecutionProvider"] = "cpu" });
        factory.UseKestrelOnAFreePort();
        factory.StartServer();
        await factory.WaitForStartupLoadAsync();
        var address = factory.Services.ListeningAddress().TrimEnd('/');

        var result = JsonNode.Parse(NumpyProcess.Run(Client, address, _temp.Path))!;

        var service = result["service"]!;
        Assert.Equal(300, (int)service["n"]!);
        Assert.Equal(16, (int)service["dim"]!);
        Assert.Equal((double)result["numpy"]!["alignment"]!, (double)service["alignment"]!, 1e-9);
        Assert.Equal((double)result["numpy"]!["uniformity"]!, (double)service["uniformity"]!, 1e-9);
        Assert.NotNull(service["knn_accuracy"]);
        var html = await File.ReadAllTextAsync(Path.Combine(_temp.Path, "report.html"));
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.OrdinalIgnoreCase);
        foreach (var metric in new[] { "alignment", "uniformity" })
        {
            // Two requests: Core's parallel pair sums may differ in the last bits between them.
            var shown = System.Text.RegularExpressions.Regex.Match(html, $"data-metric=\"{metric}\" data-value=\"([^\"]+)\"");
            Assert.True(shown.Success, $"report.html has no {metric}");
            Assert.Equal((double)service[metric]!, double.Parse(shown.Groups[1].Value, CultureInfo.InvariantCulture), 1e-12);
        }

        Assert.Contains("labels: labels.npy", html, StringComparison.Ordinal);
    }
}
