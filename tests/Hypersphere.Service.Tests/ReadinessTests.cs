using Hypersphere.Service.Tests.Support;

namespace Hypersphere.Service.Tests;

public sealed class ReadinessTests : IClassFixture<ToyModels>, IDisposable
{
    private readonly ToyModels _toys;
    private readonly TempFolder _temp = new();

    public ReadinessTests(ToyModels toys) => _toys = toys;

    public void Dispose() => _temp.Dispose();

    [SkippableFact]
    public async Task ReadyIs503WithAnEmptyModelsFolderAnd200OnceAModelIsLoaded()
    {
        _toys.Require();
        var root = _temp.Folder("models");
        await using var factory = new ServiceFactory(root);
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();

        var problem = await Http.Problem(await client.GetAsync("/healthz/ready"), 503, "holds no <name>/<version>/model.json");
        Assert.Equal("not_ready", (string?)problem["error"]!["code"]);
        await Http.Problem(await client.PostAsync("/v1/embeddings", Http.Json(new { input = Enumerable.Repeat(0.5f, 64).ToArray() })), 503, "no model is served");

        _toys.WriteVersion(root, "toy", "1", seed: 1);
        await factory.Registry.ReloadAsync();

        var ready = await Http.OkJson(await client.GetAsync("/healthz/ready"));
        Assert.Equal("CPUExecutionProvider", (string?)ready["models"]![0]!["provider"]);
        await Http.OkJson(await client.PostAsync("/v1/embeddings", Http.Json(new { input = Enumerable.Repeat(0.5f, 64).ToArray() })));
    }

    [SkippableFact]
    public async Task ABrokenModelIsListedAsFailedWhileTheOthersServe()
    {
        _toys.Require();
        var root = _temp.Folder("models");
        _toys.WriteVersion(root, "good", "1", seed: 1);
        _toys.WriteVersion(root, "broken", "1", seed: 2, card => card with { Onnx = card.Onnx with { Sha256 = new string('0', 64) } });
        await using var factory = new ServiceFactory(root);
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();

        var ready = await Http.OkJson(await client.GetAsync("/healthz/ready"));
        var failed = Assert.Single(ready["failed"]!.AsArray())!;
        Assert.Equal("broken@1", (string?)failed["model"]);
        Assert.Contains("sha256", (string?)failed["error"], StringComparison.Ordinal);

        await Http.Problem(await client.PostAsync("/v1/embeddings", Http.Json(new { model = "broken", input = Enumerable.Repeat(0.5f, 64).ToArray() })), 503, "broken@1 cannot be served", "sha256");
        var models = await Http.OkJson(await client.GetAsync("/v1/models"));
        var broken = models["data"]!.AsArray().Single(m => (string?)m!["id"] == "broken")!;
        Assert.Equal("failed", (string?)broken["versions"]![0]!["status"]);
        Assert.Equal("broken@1", (string?)models["default_model"]); // the first name, whether or not it loads
        await Http.OkJson(await client.PostAsync("/v1/embeddings", Http.Json(new { model = "good", input = Enumerable.Repeat(0.5f, 64).ToArray() })));
    }

    [SkippableFact]
    public async Task TheConfiguredDefaultModelServesRequestsWithoutAModel()
    {
        _toys.Require();
        var root = _temp.Folder("models");
        _toys.WriteVersion(root, "alpha", "1", seed: 1);
        _toys.WriteVersion(root, "beta", "1", seed: 2);
        await using var factory = new ServiceFactory(root, new Dictionary<string, string?> { ["Hypersphere:DefaultModel"] = "beta" });
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();

        var answer = await Http.OkJson(await client.PostAsync("/v1/embeddings", Http.Json(new { input = Enumerable.Repeat(0.5f, 64).ToArray() })));

        Assert.Equal("beta@1", (string?)answer["model"]);
    }
}
