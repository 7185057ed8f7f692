using System.Net;
using Hypersphere.Inference;
using Hypersphere.Service.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Hypersphere.Service.Tests;

/// <summary>
/// The real app on a real Kestrel port (127.0.0.1:0) with real HTTP calls, with the execution provider left
/// on auto. It serves the repository's shipped models when models/&lt;name&gt;/&lt;version&gt; holds one, else the toy model.
/// </summary>
public sealed class KestrelEndToEndTests : IClassFixture<ToyModels>, IDisposable
{
    private readonly ToyModels _toys;
    private readonly TempFolder _temp = new();

    public KestrelEndToEndTests(ToyModels toys) => _toys = toys;

    public void Dispose() => _temp.Dispose();

    [SkippableFact]
    public async Task ServesReadinessModelsEmbeddingsQualityAndTheDocumentOverHttp()
    {
        var (root, model, shipped) = ModelsToServe();
        var card = ModelFolder.Open(Path.Combine(root, model.Name, model.Latest)).Card;
        await using var factory = new ServiceFactory(root, new Dictionary<string, string?> { ["Hypersphere:ExecutionProvider"] = "auto" });
        factory.UseKestrelOnAFreePort();
        factory.StartServer();
        var address = new Uri(factory.Services.ListeningAddress());
        Assert.Equal("127.0.0.1", address.Host);
        Assert.NotEqual(0, address.Port);
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };

        var ready = await WaitForReady(http);
        var provider = (string?)ready["models"]![0]!["provider"];
        Assert.True(provider == ExecutionProviders.Cpu ? ready["models"]![0]!["fallback_reason"] is not null : provider == ExecutionProviders.Cuda, $"auto gave {provider} with fallback reason {ready["models"]![0]!["fallback_reason"]}");

        var models = await Http.OkJson(await http.GetAsync("/v1/models"));
        Assert.Contains(models["data"]!.AsArray(), m => (string?)m!["id"] == model.Name);

        var size = card.Input.Channels * card.Input.Height * card.Input.Width;
        var input = Enumerable.Range(0, 3).Select(i => Enumerable.Range(0, size).Select(k => (float)Math.Sin((0.37 * k) + i)).ToArray()).ToArray();
        var answer = await Http.OkJson(await http.PostAsync("/v1/embeddings", Http.Json(new { model = model.Name, input })));
        Assert.Equal($"{model.Name}@{model.Latest}", (string?)answer["model"]);
        var rows = answer["data"]!.AsArray().Select(d => Http.Floats(d!["embedding"])).ToArray();
        Assert.All(rows, row => Assert.Equal(card.EmbeddingDim, row.Length));
        Assert.All(rows, row => Assert.Equal(1.0, Math.Sqrt(row.Sum(v => (double)v * v)), 1e-4));
        if (!shipped)
        {
            var expected = _toys.Reference(seed: 1, input.SelectMany(r => r).ToArray(), 3);
            for (var i = 0; i < 3; i++)
            {
                Assert.All(rows[i].Zip(expected[i]), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-5, $"{p.First} vs {p.Second}"));
            }
        }

        var quality = await Http.OkJson(await http.PostAsync("/v1/quality", Http.Json(new { model = model.Name, input })));
        Assert.Equal(3, (int)quality["n"]!);
        await Http.OkJson(await http.GetAsync("/openapi/v1.json"));
        await Http.Problem(await http.PostAsync("/v1/embeddings", Http.Json("{\"input\": []}")), 422, "at least 1 item");
    }

    private (string Root, ModelVersions Model, bool Shipped) ModelsToServe()
    {
        var shipped = Path.Combine(Repository.Root, "models");
        if (Directory.Exists(shipped) && new ModelRepository(shipped).Scan() is [var first, ..])
        {
            return (shipped, first, true);
        }

        _toys.Require();
        var root = _temp.Folder("models");
        _toys.WriteVersion(root, "toy", "1", seed: 1);
        return (root, new ModelRepository(root).Scan().Single(), false);
    }

    private static async Task<System.Text.Json.Nodes.JsonNode> WaitForReady(HttpClient http)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var response = await http.GetAsync("/healthz/ready");
            if (response.StatusCode == HttpStatusCode.OK || DateTime.UtcNow > deadline)
            {
                return await Http.OkJson(response);
            }

            await Http.Problem(response, 503, "loading");
            await Task.Delay(100);
        }
    }
}
